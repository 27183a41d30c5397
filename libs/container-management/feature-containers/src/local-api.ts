// The daemon's local API for `ledge cm` (issue 4 item 6; Kanto's CLI talks gRPC over
// /run/container-management/container-management.sock, §4.3): HTTP/1.1 + JSON over a unix socket,
// root-only (0600). Routes are matched by local-api-routes.ts; every handler error becomes {code,message}.
import { mkdirSync, mkdtempSync, renameSync, rmdirSync, chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { parseStopOptions, parseUpdateValue, parseRenameValue, type ContainerRuntime, type PullProgress } from '@ledge/container-management/model-containers';
import { createLogger, onlyOnce, type Logger } from '@ledge/shared/util';
import { apiSocketInUseError, containerNotFoundError, imagePullError, invalidRequestError } from './errors';
import {
  apiContainerOf,
  apiErrorOf,
  badJsonError,
  httpStatusOf,
  isObject,
  matchRoute,
  noRouteError,
  parseCreateBody,
  parseLogsQuery,
  type Route,
} from './local-api-routes';
import { createLogStreamer } from './local-api-streams';
import type { ContainerManager } from './manager';
import type { ContainerRecord } from './store';

export interface LocalApiOptions {
  socketPath: string;
  manager: ContainerManager;
  runtime: ContainerRuntime;
  logger?: Logger;
  /** Reported by GET /sysinfo; default LEDGE_VERSION or 'dev'. */
  version?: string;
  /** Largest accepted request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Least time between two pull progress lines; default 200 ms. */
  progressIntervalMs?: number;
  /** How long an attach or until=exit log stream still reads after the exit; default 600 ms. */
  exitDrainMs?: number;
}

export interface LocalApi {
  start(): Promise<void>;
  close(): Promise<void>;
  readonly socketPath: string;
}

// exitDrainMs: the runtime closes a task's FIFO readers 200 ms after the exit and the log follow polls every
// 200 ms; 600 ms covers both.
export const defaultLocalApiOptions = Object.freeze({ maxBodyBytes: 1024 * 1024, progressIntervalMs: 200, exitDrainMs: 600 });

const NDJSON = 'application/x-ndjson';

export function createLocalApi(options: LocalApiOptions): LocalApi {
  const { manager, runtime, socketPath } = options;
  const log = (options.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'local-api' });
  const maxBody = options.maxBodyBytes ?? defaultLocalApiOptions.maxBodyBytes;
  const progressMs = options.progressIntervalMs ?? defaultLocalApiOptions.progressIntervalMs;
  const version = options.version ?? process.env['LEDGE_VERSION'] ?? 'dev';
  let ino: number | undefined;
  const streamer = createLogStreamer({ manager, runtime, log, exitDrainMs: options.exitDrainMs ?? defaultLocalApiOptions.exitDrainMs });

  const find = (ref: string): ContainerRecord => {
    const byId = manager.list().find((r) => r.id === ref);
    const r = byId ?? manager.findByName(ref);
    if (r === undefined) throw containerNotFoundError(ref);
    return r;
  };

  const readBody = (req: IncomingMessage): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          reject(badJsonError(`larger than ${maxBody} bytes`));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('error', reject);
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').trim();
        if (text === '') return resolve(undefined);
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(badJsonError(`not JSON (${(err as Error).message})`));
        }
      });
    });

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    if (res.headersSent) return;
    const text = body === undefined ? '' : `${JSON.stringify(body)}\n`;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const create = async (req: IncomingMessage, res: ServerResponse, route: Route) => {
    const request = parseCreateBody(await readBody(req), route.query);
    const ref = request.config.imageRef;
    let last = 0;
    const line = (o: unknown) => {
      if (!res.headersSent) res.writeHead(201, { 'content-type': NDJSON });
      if (!res.destroyed) res.write(`${JSON.stringify(o)}\n`);
    };
    const onProgress = (p: PullProgress) => {
      const now = Date.now();
      if (now - last < progressMs && p.doneBytes < p.totalBytes) return;
      last = now;
      line({ progress: { ref: p.ref, totalBytes: p.totalBytes, doneBytes: p.doneBytes, layers: p.layers.length } });
    };
    // Once progress lines went out the status is sent: a later failure becomes a final {error} line.
    const record = await (async () => {
      try {
        // Pulled here (not in the manager) so the client sees progress; the manager then finds the image.
        if ((await runtime.getImage(ref)) === undefined) await runtime.pullImage(ref, { onProgress });
      } catch (err) {
        throw imagePullError(ref, err);
      }
      return manager.create(request.config, { named: request.named, start: request.start });
    })().catch((err: unknown) => {
      if (!res.headersSent) throw err;
      line({ error: apiErrorOf(err) });
      return undefined;
    });
    if (record) line({ container: apiContainerOf(record) });
    res.end();
  };

  const action = async (req: IncomingMessage, res: ServerResponse, route: Route) => {
    const r = find(route.ref!);
    const body = await readBody(req);
    // `ledge cm start --a`: the response is the container's output until it exits (local-api-streams.ts).
    if (route.action === 'start' && (route.query.get('attach') === '1' || route.query.get('attach') === 'true')) return streamer.attach(res, r);
    switch (route.action) {
      case 'start':
        await manager.startContainer(r.id);
        break;
      case 'stop': {
        const p = parseStopOptions(body, manager.defaultStopTimeoutMs);
        if (!p.ok) throw invalidRequestError('stop options', p.problems);
        await manager.stop(r.id, p.value);
        break;
      }
      case 'pause':
        await manager.pause(r.id);
        break;
      case 'resume':
        await manager.resume(r.id);
        break;
      case 'rename': {
        const p = parseRenameValue(isObject(body) ? body['name'] : body);
        if (!p.ok) throw invalidRequestError('rename', p.problems);
        await manager.rename(r.id, p.value);
        break;
      }
      case 'update': {
        const p = parseUpdateValue(body ?? {});
        if (!p.ok) throw invalidRequestError('update', p.problems);
        await manager.update(r.id, p.value);
        break;
      }
    }
    sendJson(res, 200, { container: apiContainerOf(manager.get(r.id)) });
  };

  const logs = async (res: ServerResponse, route: Route) => streamer.logs(res, find(route.ref!), parseLogsQuery(route.query));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = matchRoute(method, url);
    if (route === undefined) throw noRouteError(method, url);
    switch (route.name) {
      case 'list':
        return sendJson(res, 200, { containers: manager.list().map(apiContainerOf) });
      case 'get':
        return sendJson(res, 200, { container: apiContainerOf(find(route.ref!)) });
      case 'sysinfo':
        return sendJson(res, 200, { version, api: 'v1', engine: await runtime.info(), containers: manager.list().length });
      case 'remove': {
        const r = find(route.ref!);
        const force = route.query.get('force') === '1' || route.query.get('force') === 'true';
        await manager.remove(r.id, force);
        return sendJson(res, 200, { id: r.id });
      }
      case 'create':
        return create(req, res, route);
      case 'action':
        return action(req, res, route);
      case 'logs':
        return logs(res, route);
    }
  };

  const server = createServer((req, res) => {
    // A client that goes away mid-request must not become an unhandled 'error' event.
    req.on('error', (err) => log.debug({ err }, 'local API request aborted'));
    res.on('error', (err) => log.debug({ err }, 'local API response aborted'));
    handle(req, res).catch((err: unknown) => {
      const status = httpStatusOf(err);
      if (status === 500) log.error({ err, method: req.method, url: req.url }, 'local API request failed');
      else log.debug({ err, method: req.method, url: req.url }, 'local API request refused');
      if (res.headersSent) res.end();
      else sendJson(res, status, apiErrorOf(err));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  return {
    socketPath,
    async start() {
      mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
      if (await isLive(socketPath)) throw apiSocketInUseError(socketPath);
      // Bind inside a private 0700 directory, chmod 0600, then rename into place: the socket is
      // never reachable by other users, and a stale file is replaced atomically.
      const tmp = mkdtempSync(join(dirname(socketPath), '.cm-api-'));
      try {
        const bindPath = join(tmp, 's');
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(bindPath, () => {
            server.off('error', reject);
            resolve();
          });
        });
        chmodSync(bindPath, 0o600);
        renameSync(bindPath, socketPath);
      } finally {
        rmdirSync(tmp);
      }
      ino = statSync(socketPath).ino;
      log.info({ socketPath }, 'local API listening');
    },
    close: onlyOnce(async () => {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      try {
        if (statSync(socketPath).ino === ino) unlinkSync(socketPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, socketPath }, 'cannot remove the local API socket');
      }
    }),
  };
}

/** True when something accepts connections on the socket (another daemon); false for a stale file or none. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
