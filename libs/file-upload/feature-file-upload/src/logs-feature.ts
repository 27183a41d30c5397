// The `Logs` feature (issue 21, docs/mqtt-api.md "Logs"): `upload` gathers the journal of the Ledge apps
// and the containers' logs (asked of container management on the bus) for a time window into one tar.gz
// (a file per app and per container) and sends it through the upload providers of
// AutoUploadable (HTTP, S3, Azure), reporting `lastUpload` as it goes; `tail` answers the last lines of one
// app inline. One upload at a time: a second gets 409 while the first runs.
import type { DittoAgent, DittoCommand } from '@ledge/shared/data-access-mqtt';
import { appOfRecord, JournalUnavailableError, type JournalReader } from '@ledge/shared/data-access-journal';
import {
  capTail,
  keepLine,
  LOGS_DEFINITION,
  LOGS_FEATURE_ID,
  LOGS_LIMITS,
  parseLogsTail,
  parseLogsUpload,
  providerUnknownError,
  type LogsUploadRequest,
  type UploadProvider,
} from '@ledge/file-upload/model-file-upload';
import { NO_SUCH_CONTAINER } from '@ledge/shared/model-edge';
import { onlyOnce, tarGz, type Logger } from '@ledge/shared/util';
import type { AskContainerLogs, ContainerLogs } from './container-logs-asker';

export interface LogsFeatureDeps {
  readonly agent: DittoAgent;
  readonly providers: Readonly<Record<string, UploadProvider>>;
  readonly journal: JournalReader;
  /** The apps whose logs may be asked for. */
  readonly apps: readonly string[];
  /** Containers' logs (from container management); absent: an upload naming containers says they are not available. */
  readonly containerLogs?: AskContainerLogs;
  readonly now?: () => number;
  readonly logger: Logger;
}

export interface LogsUploadStatus {
  readonly correlationId: string;
  readonly state: 'PENDING' | 'UPLOADING' | 'SUCCESS' | 'FAILED';
  readonly progress: number;
  readonly startTime: string;
  readonly endTime?: string;
  readonly message?: string;
  /** Lines per app in the archive. */
  readonly lines?: Readonly<Record<string, number>>;
  /** Lines per container in the archive. */
  readonly containers?: Readonly<Record<string, number>>;
}

export interface LogsFeature {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Settles when the running upload (if any) has ended. */
  idle(): Promise<void>;
}

const unitsOf = (apps: readonly string[]) => [...apps.map((a) => `ledge-${a}.service`), 'ledge.service'];
const iso = (ms: number) => new Date(ms).toISOString();

export function createLogsFeature(deps: LogsFeatureDeps): LogsFeature {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'logs' });
  const base = `/features/${LOGS_FEATURE_ID}`;
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let runningId: string | undefined;
  let last: LogsUploadStatus | undefined;
  const removers: (() => void)[] = [];

  const report = (s: LogsUploadStatus) => {
    last = s;
    return deps.agent.modify(`${base}/properties/lastUpload`, s).catch((err: unknown) => log.warn({ err }, 'lastUpload not published'));
  };

  /** The app's lines of the window, filtered, the last `req.lines` of each. */
  const collect = async (req: LogsUploadRequest): Promise<Record<string, string[]>> => {
    if (req.apps.length === 0) return {};
    const records = await deps.journal.read({ units: unitsOf(req.apps), sinceS: req.sinceMs / 1000, untilS: Math.ceil(req.untilMs / 1000) });
    const byApp: Record<string, string[]> = Object.fromEntries(req.apps.map((a) => [a, []]));
    for (const r of records) {
      const app = appOfRecord(r);
      const t = r.timeUs / 1000;
      if (app === undefined || byApp[app] === undefined || t < req.sinceMs || t > req.untilMs) continue;
      if (keepLine(r.message, req.level, req.grep)) byApp[app]!.push(r.message);
    }
    for (const a of Object.keys(byApp)) if (byApp[a]!.length > req.lines) byApp[a] = byApp[a]!.slice(-req.lines);
    return byApp;
  };

  /** The containers' lines of the window, and why a container gave none. */
  const collectContainers = async (req: LogsUploadRequest): Promise<ContainerLogs> => {
    if (req.containers.length === 0) return { lines: {}, errors: {} };
    const all = (why: string) => ({ lines: {}, errors: Object.fromEntries(req.containers.map((c) => [c, why])) });
    if (deps.containerLogs === undefined) return all('containers\' logs are not available here');
    const ask = { containers: req.containers, sinceMs: req.sinceMs, untilMs: req.untilMs, ...(req.grep !== undefined ? { grep: req.grep } : {}), lines: req.lines, maxBytes: LOGS_LIMITS.containerBytes };
    return deps.containerLogs(ask, abort.signal).catch((err: unknown) => all(err instanceof Error ? err.message : String(err)));
  };

  const run = async (req: LogsUploadRequest, provider: UploadProvider) => {
    const started = now();
    const status = (state: LogsUploadStatus['state'], extra: Partial<LogsUploadStatus> = {}): LogsUploadStatus => ({ correlationId: req.correlationId, state, progress: 0, startTime: iso(started), ...extra });
    try {
      const [byApp, byContainer] = await Promise.all([collect(req), collectContainers(req)]);
      const lines = Object.fromEntries(Object.entries(byApp).map(([a, l]) => [a, l.length]));
      const containers = Object.fromEntries(Object.entries(byContainer.lines).map(([c, l]) => [c, l.length]));
      const problems = Object.entries(byContainer.errors).map(([c, e]) => `container ${c}: ${e}`);
      const { options: _options, ...described } = req; // the request as asked, without the provider's credentials
      const text = (l: readonly string[]) => Buffer.from(l.length > 0 ? `${l.join('\n')}\n` : '');
      const archive = tarGz(
        [
          { name: 'logs/request.json', content: Buffer.from(`${JSON.stringify({ ...described, since: iso(req.sinceMs), until: iso(req.untilMs), ...(problems.length > 0 ? { problems } : {}) }, null, 2)}\n`) },
          ...Object.entries(byApp).map(([app, l]) => ({ name: `logs/${app}.log`, content: text(l) })),
          ...Object.entries(byContainer.lines).map(([c, l]) => ({ name: `logs/containers/${c.replace(/[^A-Za-z0-9._-]/g, '_')}.log`, content: text(l) })),
        ],
        started,
      );
      const counts = { lines, ...(req.containers.length > 0 ? { containers } : {}) };
      await report(status('UPLOADING', counts));
      let lastPercent = 0;
      await provider.upload({
        source: {
          path: `ledge-logs-${req.correlationId.replace(/[^A-Za-z0-9._-]/g, '_')}.tar.gz`,
          size: archive.length,
          async *stream(start, end) {
            yield archive.subarray(start, end);
          },
        },
        options: req.options,
        signal: abort.signal,
        onProgress: (bytes) => {
          const p = Math.floor((bytes * 100) / Math.max(1, archive.length));
          if (p >= lastPercent + 25 && p < 100) {
            lastPercent = p;
            void report(status('UPLOADING', { ...counts, progress: p }));
          }
        },
      });
      // a container that gave nothing does not fail the upload: what could be had is uploaded, and said
      await report(status('SUCCESS', { ...counts, progress: 100, endTime: iso(now()), ...(problems.length > 0 ? { message: problems.join('; ') } : {}) }));
      log.info({ correlationId: req.correlationId, ...counts, bytes: archive.length, problems }, 'logs uploaded');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await report(status('FAILED', { endTime: iso(now()), message }));
      log.warn({ err, correlationId: req.correlationId }, 'logs upload failed');
    }
  };

  /** A container's last lines inline, from container management; 404 for no such container, 503 when it does not answer. */
  const tailContainer = async (container: string, lines: number): Promise<{ status: number; value: unknown }> => {
    const unavailable = (message: string) => ({ status: 503, value: { status: 503, error: 'messages:execution.failed', message } });
    if (deps.containerLogs === undefined) return unavailable('containers\' logs are not available here');
    let got: ContainerLogs;
    try {
      got = await deps.containerLogs({ containers: [container], sinceMs: 0, untilMs: now(), lines, maxBytes: LOGS_LIMITS.tailBytes }, abort.signal);
    } catch (err) {
      return unavailable(err instanceof Error ? err.message : String(err));
    }
    const error = got.errors[container];
    if (error === NO_SUCH_CONTAINER) return { status: 404, value: { status: 404, error: 'messages:parameter.invalid', message: `no container ${container}` } };
    if (error !== undefined) return unavailable(error);
    return { status: 200, value: { container, ...capTail(got.lines[container] ?? [], lines, LOGS_LIMITS.tailBytes) } };
  };

  const handle = async (cmd: DittoCommand): Promise<void | { status: number; value?: unknown }> => {
    if (cmd.operation === 'tail') {
      const req = parseLogsTail(cmd.value, deps.apps);
      if (req.container !== undefined) return tailContainer(req.container, req.lines);
      try {
        // ledge.service holds every hosted app's lines: read more than asked, keep the app's
        const records = await deps.journal.read({ units: unitsOf([req.app]), lines: Math.min(req.lines * 10, 5000) });
        const all = records.filter((r) => appOfRecord(r) === req.app).map((r) => r.message);
        return { status: 200, value: { app: req.app, ...capTail(all, req.lines, LOGS_LIMITS.tailBytes) } };
      } catch (err) {
        if (err instanceof JournalUnavailableError) return { status: 503, value: { status: 503, error: 'messages:execution.failed', message: err.message } };
        throw err;
      }
    }
    // upload
    const req = parseLogsUpload(cmd.value, now(), deps.apps);
    const name = (req.options['storage.provider'] ?? 'generic').trim() || 'generic'; // as AutoUploadable's start
    const provider = deps.providers[name];
    if (provider === undefined) throw providerUnknownError(name, Object.keys(deps.providers));
    provider.validate(req.options);
    if (running !== undefined) return { status: 409, value: { status: 409, error: 'messages:execution.failed', message: `a logs upload is running (correlationId ${runningId})` } };
    runningId = req.correlationId;
    await report({ correlationId: req.correlationId, state: 'PENDING', progress: 0, startTime: iso(now()) });
    running = run(req, provider).finally(() => {
      running = undefined;
      runningId = undefined;
    });
    return undefined;
  };

  return {
    async start() {
      removers.push(deps.agent.handle(LOGS_FEATURE_ID, handle, ['upload', 'tail']));
      removers.push(
        deps.agent.onThing(() => {
          deps.agent
            .modify(base, { definition: [LOGS_DEFINITION], properties: last ? { lastUpload: last } : {} })
            .then(() => log.info('feature registered'))
            .catch((err: unknown) => log.error({ err }, 'feature registration failed'));
        }),
      );
    },
    idle: async () => {
      await running;
    },
    // Aborts a running upload without waiting for it: its last lastUpload report may wait for a broker that
    // is gone (a QoS 1 publish waits for a reconnect), and only closing the bus, after this, ends that.
    close: onlyOnce(async () => {
      for (const r of removers) r();
      abort.abort();
    }),
  };
}
