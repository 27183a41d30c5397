// The AutoUploadable feature (§6.2): trigger → one `request` outbox message per selected file; start →
// upload through the chosen provider with `lastUpload` progress; cancel; activate/deactivate periodic
// triggering. Wire-identical to Kanto's file-upload; Ledge adds realpath confinement and resume.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DittoAgent, DittoCommand } from '@ledge/shared/data-access-mqtt';
import { DittoHeaderNames } from '@ledge/shared/model-ditto';
import {
  REQUEST_PROVIDERS,
  UploadStates,
  autoUploadProperty,
  buildFeature,
  infoOf,
  lastUpload,
  parseActivate,
  parseCancel,
  parseStart,
  parseTrigger,
  percent,
  providerUnknownError,
  requestOptions,
  selectionFor,
  noFilesError,
  parseDuration,
  parseTime,
  uploadInProgressError,
  uploadNotFoundError,
  type Selection,
  type UploadMode,
  type UploadProvider,
  type UploadState,
} from '@ledge/file-upload/model-file-upload';
import { isLedgeError, MAX_TIMER_MS, onlyOnce, systemScheduler, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';
import { checkpointKey, fileCheckpoint } from './checkpoints';
import { canceledError } from './errors';
import { confine, fileSource, md5Base64, selectFiles } from './files';

export interface AutoUploadableSettings {
  readonly featureId: string;
  readonly type: string;
  readonly context: string;
  readonly files: string;
  readonly mode: UploadMode;
  readonly singleUpload: boolean;
  readonly checksum: boolean;
  readonly delete: boolean;
  readonly stateDir: string;
  readonly partSize: number;
  readonly stopTimeoutMs: number;
  readonly periodMs: number;
  readonly active: boolean;
  readonly activeFrom: number | undefined;
  readonly activeTill: number | undefined;
  /** Least time between two `lastUpload` progress updates (the first and the last are always sent). */
  readonly progressIntervalMs?: number;
  /** The feature's `definition`; default AutoUploadable's (file-backup: BackupAndRestore + Uploadable). */
  readonly definitions?: readonly string[];
}

/** The config keys AutoUploadable's timing comes from (file-upload's and file-backup's, the same names). */
export interface UploadTimingConfig {
  readonly stopTimeout: string;
  readonly period: string;
  readonly active: boolean;
  readonly activeFrom: string;
  readonly activeTill: string;
}

/** Timing settings from config (validated by the spec already). */
export function uploadTiming(config: UploadTimingConfig): Pick<AutoUploadableSettings, 'stopTimeoutMs' | 'periodMs' | 'active' | 'activeFrom' | 'activeTill'> {
  return {
    stopTimeoutMs: parseDuration(config.stopTimeout)!,
    periodMs: parseDuration(config.period)!,
    active: config.active,
    activeFrom: config.activeFrom ? parseTime(config.activeFrom) : undefined,
    activeTill: config.activeTill ? parseTime(config.activeTill) : undefined,
  };
}

/**
 * What a feature built on AutoUploadable adds (Kanto's UploadCustomizer, as file-backup uses it): more
 * inbox operations, its own periodic action instead of a periodic trigger, more properties at registration.
 */
export interface UploadableExtension {
  readonly operations?: Readonly<Record<string, (cmd: DittoCommand) => Promise<void | { status: number; value?: unknown }>>>;
  /** Runs instead of a trigger when the period is due. */
  readonly onTick?: () => Promise<void>;
  /** Properties added to the whole-feature registration. */
  readonly properties?: () => Record<string, unknown>;
}

export interface AutoUploadableDeps {
  readonly agent: Pick<DittoAgent, 'handle' | 'modify' | 'message' | 'onThing'>;
  readonly providers: Readonly<Record<string, UploadProvider>>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The period's and the stop grace's timers (unref'd here); default the system's. */
  readonly scheduler?: Scheduler;
  readonly extension?: UploadableExtension;
}

interface Pending { readonly path: string; readonly selection: Selection }
interface Running { readonly ac: AbortController; readonly done: Promise<void>; cancel?: { statusCode: string; message: string } }

export interface AutoUploadable {
  start(): Promise<void>;
  /** Runs `trigger` as the periodic timer does (tests, `ledge` CLI). */
  trigger(value: unknown): Promise<string[]>;
  /** Offers these files (each confined to `files`) with `request` outbox messages, IDs `<correlationId>#<n>`. */
  offer(correlationId: string, paths: readonly string[], options: Readonly<Record<string, string>>): Promise<string[]>;
  readonly pending: ReadonlyMap<string, Pending>;
  close(): Promise<void>;
}

export function createAutoUploadable(settings: AutoUploadableSettings, deps: AutoUploadableDeps): AutoUploadable {
  const log = deps.logger.child({ component: 'auto-uploadable', featureId: settings.featureId });
  const now = deps.now ?? Date.now;
  const scheduler = deps.scheduler ?? systemScheduler;
  const base = `/features/${settings.featureId}`;
  const pending = new Map<string, Pending>();
  const running = new Map<string, Running>();
  let counter = Math.floor(now() / 1000);
  let active = settings.active || settings.activeFrom !== undefined || settings.activeTill !== undefined;
  let from = settings.activeFrom;
  let to = settings.activeTill;
  let periodTimer: Timer | undefined;
  let closed = false;
  // §6.2: each `request` names where the answer goes, `command/<tenant>` of the connector's identity.
  let tenantId = '';
  const removers: (() => void)[] = [];

  const autoUpload = () => autoUploadProperty(active, from, to);

  // Offered and interrupted uploads survive a restart (stateDir/uploads.json): a later `start` of the same
  // ID resumes from the provider checkpoint instead of answering 404.
  const stateFile = join(settings.stateDir, 'uploads.json');
  const unfinished = new Map<string, Pending>();
  let saving = Promise.resolve();
  const persist = () => {
    const snapshot = JSON.stringify(Object.fromEntries(unfinished));
    saving = saving
      .then(async () => {
        await mkdir(settings.stateDir, { recursive: true });
        await writeFile(`${stateFile}.tmp`, snapshot);
        await rename(`${stateFile}.tmp`, stateFile);
      })
      .catch((err: unknown) => log.warn({ err }, 'upload state not saved'));
    return saving;
  };
  const restore = async () => {
    try {
      const saved = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, Pending>;
      for (const [id, p] of Object.entries(saved)) {
        if (typeof p?.path !== 'string' || typeof p.selection?.select !== 'string' || !Array.isArray(p.selection.confine)) continue;
        unfinished.set(id, p);
        pending.set(id, p);
      }
      if (unfinished.size > 0) log.info({ uploads: unfinished.size }, 'unfinished uploads restored');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err }, 'upload state unreadable, starting empty');
    }
  };

  const register = async () => {
    const feature = buildFeature({ type: settings.type, context: settings.context, autoUpload: autoUpload() });
    await deps.agent.modify(base, {
      definition: settings.definitions ?? feature.definition,
      properties: { ...feature.properties, ...deps.extension?.properties?.() },
    });
    log.info('feature registered');
  };

  const trigger = async (value: unknown): Promise<string[]> => {
    const req = parseTrigger(value);
    if (settings.singleUpload && running.size > 0 && req.options['force'] !== 'true') throw uploadInProgressError();
    const selection = selectionFor(settings.mode, settings.files, req.options['upload.files']);
    const { files, refused } = await selectFiles(selection);
    for (const r of refused) log.warn({ path: r.path, reason: r.reason }, 'file refused');
    if (files.length === 0) {
      if (refused.length > 0) throw (await confine(refused[0]!.path, selection).then(() => noFilesError(selection.select), (e: unknown) => e));
      throw noFilesError(selection.select);
    }
    return request(req.correlationId ?? `upload-id-${counter++}`, files, selection, req.options);
  };

  const request = async (cid: string, files: readonly string[], selection: Selection, options: Readonly<Record<string, string>>): Promise<string[]> => {
    const ids: string[] = [];
    for (const [i, path] of files.entries()) {
      const id = `${cid}#${i + 1}`;
      pending.set(id, { path, selection });
      unfinished.set(id, { path, selection });
      ids.push(id);
      await deps.agent.message(settings.featureId, 'request', { correlationId: id, options: requestOptions(path, options, REQUEST_PROVIDERS) }, { [DittoHeaderNames.replyTo]: `command/${tenantId}` });
    }
    await persist();
    log.info({ correlationId: cid, files: files.length }, 'upload requested');
    return ids;
  };

  const offer = async (cid: string, paths: readonly string[], options: Readonly<Record<string, string>>): Promise<string[]> => {
    const selection = selectionFor(settings.mode, settings.files, undefined);
    for (const p of paths) await confine(p, selection);
    return request(cid, paths, selection, options);
  };

  const upload = async (id: string, offer: Pending, path: string, provider: UploadProvider, options: Record<string, string>, r: Running) => {
    const startMs = now();
    const info = infoOf(options);
    let last = -1;
    let lastAt = 0;
    let chain = Promise.resolve();
    const publish = (state: UploadState, progress: number, extra: { statusCode?: string; message?: string; end?: boolean } = {}) => {
      const value = lastUpload({ correlationId: id, state, startMs, endMs: extra.end ? now() : undefined, progress, info, ...(extra.statusCode !== undefined ? { statusCode: extra.statusCode } : {}), ...(extra.message !== undefined ? { message: extra.message } : {}) });
      chain = chain.then(() => deps.agent.modify(`${base}/properties/lastUpload`, value)).catch((err: unknown) => log.warn({ err }, 'lastUpload not published'));
      return chain;
    };
    const ulog = log.child({ correlationId: id, provider: provider.name });
    void publish(UploadStates.UPLOADING, 0);
    last = 0;
    try {
      const source = await fileSource(path);
      const md5 = settings.checksum ? await md5Base64(source) : undefined;
      const target = Object.entries(options).filter(([k]) => !k.startsWith('info.')).sort().map(([k, v]) => `${k}=${v}`).join('&');
      const checkpoint = fileCheckpoint(settings.stateDir, checkpointKey([path, source.size, source.mtimeMs, provider.name, target]));
      ulog.info({ path, size: source.size }, 'upload started');
      await provider.upload({
        source,
        options,
        md5,
        signal: r.ac.signal,
        checkpoint,
        partSize: settings.partSize,
        onProgress: (bytes) => {
          const p = Math.min(99, percent(bytes, source.size));
          const t = now();
          if (p > last && t - lastAt >= (settings.progressIntervalMs ?? 250)) {
            last = p;
            lastAt = t;
            void publish(UploadStates.UPLOADING, p);
          }
        },
      });
      await checkpoint.clear();
      unfinished.delete(id);
      void persist();
      await publish(UploadStates.SUCCESS, 100, { end: true });
      ulog.info({ path, size: source.size, ms: now() - startMs }, 'upload succeeded');
      if (settings.delete) await rm(path, { force: true }).catch((err: unknown) => ulog.warn({ err, path }, 'uploaded file not deleted'));
    } catch (err) {
      if (r.ac.signal.aborted) {
        const c = r.cancel ?? { statusCode: '', message: 'upload canceled: shutting down' };
        if (r.cancel !== undefined) {
          unfinished.delete(id);
          void persist();
        } else pending.set(id, offer); // shutdown: startable again (resumes) after the restart
        await publish(UploadStates.CANCELED, Math.max(last, 0), { end: true, statusCode: c.statusCode, message: c.message });
        ulog.info({ err: canceledError(c.statusCode, c.message) }, 'upload canceled');
      } else {
        const message = err instanceof Error ? err.message : String(err);
        pending.set(id, offer); // a later `start` of the same ID retries, resuming where the provider can
        await publish(UploadStates.FAILED, Math.max(last, 0), { end: true, message, statusCode: isLedgeError(err) ? err.code : '' });
        ulog.warn({ err }, 'upload failed');
      }
    }
  };

  const start = async (value: unknown) => {
    const req = parseStart(value);
    const p = pending.get(req.correlationId);
    if (p === undefined || running.has(req.correlationId)) throw uploadNotFoundError(req.correlationId);
    const name = (req.options['storage.provider'] ?? 'generic').trim() || 'generic';
    const provider = deps.providers[name];
    if (provider === undefined) throw providerUnknownError(name, Object.keys(deps.providers));
    provider.validate(req.options);
    // Check again at start: the file may have been replaced by a symlink since the trigger.
    const real = await confine(p.path, p.selection);
    pending.delete(req.correlationId);
    const ac = new AbortController();
    const r: Running = { ac, done: Promise.resolve() };
    running.set(req.correlationId, r);
    (r as { done: Promise<void> }).done = upload(req.correlationId, p, real, provider, { ...req.options }, r).finally(() => running.delete(req.correlationId));
  };

  const cancel = async (value: unknown) => {
    const req = parseCancel(value);
    const r = running.get(req.correlationId);
    if (r !== undefined) {
      r.cancel = { statusCode: req.statusCode, message: req.message || 'upload canceled' };
      r.ac.abort(canceledError(req.statusCode, req.message));
      return;
    }
    if (!pending.delete(req.correlationId)) throw uploadNotFoundError(req.correlationId);
    unfinished.delete(req.correlationId);
    await persist();
    const t = now();
    await deps.agent.modify(`${base}/properties/lastUpload`, lastUpload({ correlationId: req.correlationId, state: UploadStates.CANCELED, startMs: t, endMs: t, progress: 0, statusCode: req.statusCode, message: req.message || 'upload canceled' }));
  };

  const schedule = () => {
    periodTimer?.cancel();
    periodTimer = undefined;
    if (!active || closed) return;
    // A timer waits at most MAX_TIMER_MS (2^31-1 ms, ~596 h; the scheduler cuts a longer delay to it):
    // a longer period (`period: 720h`) is waited for in steps.
    let left = settings.periodMs;
    const arm = () => {
      const step = Math.min(left, MAX_TIMER_MS);
      periodTimer = scheduler.setTimeout(() => {
        left -= step;
        const due = left <= 0;
        if (due) left = settings.periodMs;
        arm();
        if (!due) return;
        const t = now();
        if ((from !== undefined && t < from) || (to !== undefined && t > to)) return;
        const tick = deps.extension?.onTick ?? (async () => void (await trigger({})));
        tick().catch((err: unknown) => log.info({ err }, 'periodic trigger did nothing'));
      }, step).unref();
    };
    arm();
  };

  const handle = async (cmd: DittoCommand): Promise<void | { status: number; value?: unknown }> => {
    switch (cmd.operation) {
      case 'trigger':
        await trigger(cmd.value);
        return;
      case 'start':
        await start(cmd.value);
        return;
      case 'cancel':
        await cancel(cmd.value);
        return;
      case 'activate': {
        const a = parseActivate(cmd.value);
        active = true;
        from = a.from;
        to = a.to;
        schedule();
        await deps.agent.modify(`${base}/properties/autoUpload`, autoUpload());
        return;
      }
      case 'deactivate': {
        active = false;
        from = undefined;
        to = undefined;
        schedule();
        await deps.agent.modify(`${base}/properties/autoUpload`, autoUpload());
        return;
      }
      default: {
        const extra = deps.extension?.operations?.[cmd.operation];
        if (extra) return extra(cmd);
        // Kanto answers an unknown AutoUploadable operation with 400 messages:execution.failed (§6.2).
        return { status: 400, value: { status: 400, error: 'messages:execution.failed', message: `unsupported operation '${cmd.operation}'` } };
      }
    }
  };

  return {
    pending,
    trigger,
    offer,
    async start() {
      await restore();
      removers.push(deps.agent.handle(settings.featureId, handle));
      removers.push(
        deps.agent.onThing((_thingId, identity) => {
          tenantId = identity.tenantId;
          void register().catch((err: unknown) => log.error({ err }, 'feature registration failed'));
        }),
      );
      schedule();
    },
    close: onlyOnce(async () => {
      closed = true;
      periodTimer?.cancel();
      for (const r of removers) r();
      const all = [...running.values()];
      let graceTimer: Timer | undefined;
      const grace = new Promise<void>((res) => (graceTimer = scheduler.setTimeout(res, settings.stopTimeoutMs).unref()));
      await Promise.race([Promise.allSettled(all.map((r) => r.done)), grace]);
      graceTimer?.cancel();
      for (const r of all) r.ac.abort(canceledError('', 'shutting down'));
      await Promise.allSettled(all.map((r) => r.done));
      await saving;
    }),
  };
}
