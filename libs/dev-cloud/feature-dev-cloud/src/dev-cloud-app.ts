// The development cloud app (issue 24): a stand-in for Hono + Ditto on the developer's machine. The device
// side (Hono's MQTT adapter) lets the gateway in; the HTTP side serves Ditto's API over the twins the
// gateway reports, the artifact store and the upload sink. `ledge run --dev-cloud` (npm start) hosts it
// beside the stack and provisions the connector to it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createDeviceMqttAdapter } from '@ledge/dev-cloud/data-access-device-mqtt';
import { devCloudSpec, type DevCloudSpec } from '@ledge/dev-cloud/model-dev-cloud';
import { ConfigError, createCloser, onlyOnce, type App, type AppEntry, type Clock, type ConfigOf, type Logger, type Scheduler, type WithCommon } from '@ledge/shared/util';
import { createConsoleHandler } from './console-handler';
import { guardCrossOrigin } from './cross-origin';
import { ensureDevices } from './devices';
import { createDittoService } from './ditto-service';
import { createFileStore } from './file-store';
import { authorized, WWW_AUTHENTICATE } from './http-io';

export type DevCloudConfig = ConfigOf<WithCommon<DevCloudSpec>>;

export interface DevCloudAddresses {
  /** e.g. http://127.0.0.1:8088 */
  readonly http: string;
  /** e.g. mqtt://127.0.0.1:18883 */
  readonly mqtt: string;
}

export interface DevCloudDeps {
  readonly logger: Logger;
  /** The Ditto side's clock and timers (systemClock and systemScheduler by default). */
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /** Called once both sides listen (tests bind port 0). */
  readonly onListening?: (a: DevCloudAddresses) => void;
}

/** The TLS key pair of both listeners, or undefined; a ConfigError when only one is set or a file cannot be read. */
export function devCloudTls(config: Pick<DevCloudConfig, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | undefined {
  if (config.tlsCert === '' && config.tlsKey === '') return undefined;
  if (config.tlsCert === '' || config.tlsKey === '') throw new ConfigError("config keys 'tlsCert' and 'tlsKey': set both (or neither)", { key: config.tlsCert === '' ? 'tlsCert' : 'tlsKey' });
  const read = (key: 'tlsCert' | 'tlsKey') => {
    try {
      return readFileSync(config[key]);
    } catch (err) {
      throw new ConfigError(`config key '${key}': cannot read ${config[key]} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key });
    }
  };
  return { cert: read('tlsCert'), key: read('tlsKey') };
}

const hostForUrl = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

/** The device side's address as a client on this machine dials it (the connector of `ledge run --dev-cloud`). */
export function devCloudMqttUrl(config: Pick<DevCloudConfig, 'host' | 'tlsCert'>, port: number): string {
  return `${config.tlsCert !== '' ? 'mqtts' : 'mqtt'}://${hostForUrl(config.host)}:${port}`;
}

export function createDevCloud(config: DevCloudConfig, deps: DevCloudDeps): App {
  const log = deps.logger.child({ component: 'dev-cloud' });
  const closer = createCloser(log);
  let server: Server | undefined;
  let base = '';
  const auth = config.username ? { username: config.username, password: config.password } : undefined;
  const tls = devCloudTls(config);
  const httpScheme = tls ? 'https' : 'http';
  const loopback = /^(127\.|::1$|localhost$)/.test(config.host);
  const crossOrigin = { loopback, scheme: httpScheme, corsOrigins: new Set(config.corsOrigins) };
  const artifacts = createFileStore({ dir: join(config.dataDir, 'artifacts'), prefix: '/artifacts/', baseUrl: () => base, maxBytes: config.maxFileBytes, maxDepth: 1 });
  const uploads = createFileStore({ dir: join(config.dataDir, 'uploads'), prefix: '/uploads/', baseUrl: () => base, maxBytes: config.maxFileBytes, maxDepth: 8 });

  return {
    async start() {
      if (!auth && !loopback) log.warn({ host: config.host }, 'the HTTP side listens beyond this machine without authentication: set username and password');
      const devices = await ensureDevices(join(config.dataDir, 'devices.json'), config.tenant);
      const adapter = createDeviceMqttAdapter({ credentials: devices, logger: deps.logger });
      closer.add('device side', () => adapter.close());
      const ditto = createDittoService({ link: adapter, dataDir: join(config.dataDir, 'twins'), tenant: config.tenant, logger: deps.logger, ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.scheduler ? { scheduler: deps.scheduler } : {}), ...(auth ? { auth } : {}) });
      closer.add('Ditto side', () => ditto.close());
      await ditto.start();
      const mqtt = await adapter.listen({ host: config.host, port: config.mqttPort, ...(tls ? { tls } : {}) });
      const webConsole = createConsoleHandler();

      const handle = async (req: IncomingMessage, res: ServerResponse) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (guardCrossOrigin(req, res, crossOrigin)) return;
        if (await ditto.handle(req, res)) return;
        if (!authorized(req, auth)) {
          res.writeHead(401, WWW_AUTHENTICATE).end();
          return;
        }
        if ((await artifacts.handle(req, res, path)) || (await uploads.handle(req, res, path)) || (await webConsole.handle(req, res, path))) return;
        if (path === '/index.json' && req.method === 'GET') {
          const body = JSON.stringify({ ditto: `${base}/api/2/things`, artifacts: `${base}/artifacts/`, uploads: `${base}/uploads/`, mqtt: devCloudMqttUrl(config, mqtt.port), tenant: config.tenant });
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 404, message: `nothing at ${path}` }));
      };
      const serve = (req: IncomingMessage, res: ServerResponse) => {
        handle(req, res).catch((err: unknown) => {
          log.error({ err, url: req.url }, 'request failed');
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        });
      };
      server = tls ? createHttpsServer({ ...tls, minVersion: 'TLSv1.2' }, serve) : createServer(serve);
      const srv = server;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(config.httpPort, config.host, () => resolve());
      });
      closer.add('HTTP side', () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))));
      base = `${httpScheme}://${hostForUrl(config.host)}:${(srv.address() as AddressInfo).port}`;
      const addresses = { http: base, mqtt: devCloudMqttUrl(config, mqtt.port) };
      log.info({ ...addresses, tenant: config.tenant, devices: devices.map((d) => d.deviceId) }, `development cloud: ${base}/ (Ditto API ${base}/api/2/things)`);
      deps.onListening?.(addresses);
    },
    close: onlyOnce(() => closer.close()),
  };
}

export const devCloudEntry: AppEntry<DevCloudSpec> = {
  name: 'dev-cloud',
  summary: 'Ledge dev-cloud: a local stand-in for Hono\'s MQTT adapter and Ditto\'s HTTP API, with an artifact store and an upload sink, for developers (npm start)',
  spec: devCloudSpec,
  devDefaults: (devDir) => ({ dataDir: join(devDir, 'dev-cloud') }),
  create: (config, deps) => createDevCloud(config, deps),
};
