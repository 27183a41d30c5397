// The update engine: a bounded queue of accepted operations run one at a time, each module through
// STARTED → DOWNLOADING → DOWNLOADED → INSTALLING → INSTALLED → FINISHED_SUCCESS (download:
// STARTED → DOWNLOADING → DOWNLOADED → FINISHED_SUCCESS), or FINISHED_ERROR with Kanto's message (§5.3).
// Status goes out through a StatusSink, so the engine is tested without a broker. Every stage reached
// is stored first; start() resumes stored operations: a download continues from its byte offset, an
// install interrupted by a crash is reported as failed and never run again.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  artifactTypeOf,
  buildOperationStatus,
  FailureMessages,
  isFailedStatus,
  isFinalStatus,
  resumeActionOf,
  selectChecksum,
  type ArtifactType,
  type Dependency,
  type OperationStatus,
  type OperationStatusValue,
  type SoftwareModuleAction,
  type UpdateAction,
  type UpdateOperation,
} from '@ledge/software-update/model-software-update';
import { partialPaths, type Downloader } from '@ledge/software-update/data-access-download';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import type { ExtractLimits } from './archive';
import { queueFullError, shuttingDownError, storeFailedError, SoftwareUpdateErrorCodes } from './errors';
import type { FileMode } from './file-artifact';
import { move } from './fs-util';
import { createModuleSteps, ModuleFailure } from './module-steps';
import type { LastStatuses, OperationStore, StoredOperation } from './operation-store';

export interface StatusSink {
  /** Resolves once statuses can be published (the thing identity is known). */
  ready(signal: AbortSignal): Promise<void>;
  lastOperation(value: OperationStatusValue): Promise<void>;
  lastFailedOperation(value: OperationStatusValue): Promise<void>;
  installedDependencies(value: Record<string, Dependency>): Promise<void>;
}

export interface UpdateEngineOptions {
  readonly store: OperationStore;
  readonly downloader: Downloader;
  readonly sink: StatusSink;
  readonly logger: Logger;
  readonly artifactType: ArtifactType;
  readonly install: readonly string[];
  readonly installTimeoutMs: number;
  readonly installKillGraceMs?: number;
  readonly queueSize: number;
  readonly installDirs: readonly string[];
  readonly mode: FileMode;
  /** DOWNLOADING progress updates at most this often. */
  readonly progressIntervalMs?: number;
  readonly extractLimits?: ExtractLimits;
  /** Wall clock (ms) for the time an operation finished; default Date.now. */
  readonly now?: () => number;
}

/** The last operation that reached a final status (FINISHED_*), and when (Unix seconds). */
export interface FinishedOperation {
  readonly operation: OperationStatusValue;
  readonly at: number;
}

export interface UpdateEngine {
  start(): Promise<void>;
  /** Stores the operation and queues it; throws when the queue is full or storage fails. */
  submit(operation: UpdateOperation, action: UpdateAction): Promise<void>;
  readonly last: Readonly<LastStatuses>;
  /**
   * The last finished operation, kept across restarts (`last` is stored at every final status); undefined
   * before the first, or when the stored state predates `finishedAt`. `last.lastOperation` is the running one.
   */
  readonly lastFinished: FinishedOperation | undefined;
  installedDependencies(): Promise<Record<string, Dependency>>;
  /** Operations waiting (not counting the running one). */
  readonly waiting: number;
  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const INTERRUPTED_INSTALL = 'install interrupted by a restart of the software-update service; the install script was not run again';

export function createUpdateEngine(o: UpdateEngineOptions): UpdateEngine {
  const log = o.logger.child({ component: 'update-engine' });
  const queue: StoredOperation[] = [];
  const closing = new AbortController();
  const last: LastStatuses = {};
  const now = o.now ?? Date.now;
  let lastFinished: FinishedOperation | undefined;
  let running: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  let closed = false;
  let accepting = 0; // submits between the queue check and the push (storing the operation)

  const kick = () => {
    if (running || closed) return;
    const op = queue.shift();
    if (op === undefined) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
      return;
    }
    running = runOperation(op)
      .catch((err: unknown) => log.error({ err, operationId: op.id }, 'operation failed unexpectedly'))
      .finally(() => {
        running = undefined;
        kick();
      });
  };

  async function report(op: StoredOperation, module: SoftwareModuleAction, status: OperationStatus, extra: { progress?: number; message?: string; statusCode?: string } = {}): Promise<void> {
    const value = buildOperationStatus({ correlationId: op.action.correlationId, status, softwareModule: module.softwareModule, ...extra });
    if (isFinalStatus(status)) {
      last.finishedAt = Math.floor(now() / 1000);
      lastFinished = { operation: value, at: last.finishedAt }; // before the sink hears of it: it may ask for it
    }
    try {
      if (isFailedStatus(status)) {
        last.lastFailedOperation = value;
        await o.sink.lastFailedOperation(value);
      }
      last.lastOperation = value;
      await o.sink.lastOperation(value);
    } catch (err) {
      log.warn({ err, status }, 'status could not be published');
    }
    if (isFinalStatus(status)) await o.store.saveLast(last).catch((err: unknown) => log.warn({ err }, 'cannot store the last status'));
  }

  const { installedDependencies, downloadModule, intact, prepareWorkDir, installModule } = createModuleSteps({ o, log, signal: closing.signal, report });

  async function progressOnDisk(module: SoftwareModuleAction, artifactsDir: string): Promise<number> {
    const total = module.artifacts.reduce((n, a) => n + (a.size ?? 0), 0);
    if (total === 0) return 0;
    let have = 0;
    for (const a of module.artifacts) {
      const file = join(artifactsDir, a.filename);
      have += (await stat(file).catch(() => stat(partialPaths(file).data)).catch(() => undefined))?.size ?? 0;
    }
    return Math.min(99, Math.floor((have / total) * 100));
  }

  /** Runs one module from `action`; true when it finished successfully. */
  async function runModule(op: StoredOperation, index: number, module: SoftwareModuleAction): Promise<boolean> {
    const stage = await o.store.stage(op, index);
    const resume = resumeActionOf(stage);
    if (resume === 'skip') return true;
    if (resume === 'interrupted-install') {
      await report(op, module, 'FINISHED_ERROR', { message: INTERRUPTED_INSTALL, statusCode: SoftwareUpdateErrorCodes.SCRIPT_FAILED });
      await o.store.setStage(op, index, 'FINISHED', module.softwareModule);
      return false;
    }
    const mdir = o.store.moduleDir(op, index);
    const artifactsDir = join(mdir, 'artifacts');
    const workDir = join(mdir, 'work');
    const mlog = log.child({ operationId: op.id, correlationId: op.action.correlationId, module: `${module.softwareModule.name}:${module.softwareModule.version}` });
    try {
      let download = resume === 'download';
      if (!download) {
        // DOWNLOADED before a restart: the artifacts must still be there and intact.
        for (const a of module.artifacts) if (!(await intact(join(artifactsDir, a.filename), selectChecksum(a.checksums)))) download = true;
      }
      if (download) {
        if (stage === 'STARTED') await report(op, module, 'STARTED');
        if (op.operation === 'install' && artifactTypeOf(module, o.artifactType) === 'archive' && module.artifacts.length > 1) {
          throw new ModuleFailure(FailureMessages.multipleArtifacts, undefined, 'archive module with several artifacts');
        }
        await o.store.setStage(op, index, 'DOWNLOADING', module.softwareModule);
        // After a restart the progress continues from the bytes already on disk, never back to 0.
        const startPct = stage === 'DOWNLOADING' ? await progressOnDisk(module, artifactsDir) : 0;
        await report(op, module, 'DOWNLOADING', { progress: startPct });
        let lastAt = 0;
        let lastPct = startPct;
        let pending = Promise.resolve();
        await downloadModule(op, index, module, artifactsDir, async (pct) => {
          const p = Math.floor(pct);
          const now = Date.now();
          if (p <= lastPct || p >= 100 || now - lastAt < (o.progressIntervalMs ?? 1000)) return;
          lastAt = now;
          lastPct = p;
          pending = pending.then(() => report(op, module, 'DOWNLOADING', { progress: p }));
        });
        await pending;
        await o.store.setStage(op, index, 'DOWNLOADED', module.softwareModule);
        await report(op, module, 'DOWNLOADED', { progress: 100 });
      }
      if (op.operation === 'download') {
        // Downloaded-only modules are kept (§5.5) under <storage>/modules/<name>-<version>/.
        const keep = join(o.store.modulesDir, `${module.softwareModule.name}-${module.softwareModule.version}`.replace(/[^A-Za-z0-9._-]/g, '_'));
        await rm(keep, { recursive: true, force: true });
        await move(artifactsDir, keep);
        await o.store.setStage(op, index, 'FINISHED', module.softwareModule);
        await report(op, module, 'FINISHED_SUCCESS', { progress: 100 });
        return true;
      }
      await report(op, module, 'INSTALLING', { progress: 0 });
      await prepareWorkDir(module, artifactsDir, workDir);
      await o.store.setStage(op, index, 'INSTALLING', module.softwareModule);
      const script = await installModule(op, index, module, workDir);
      const carry = { ...(script.message ? { message: script.message } : {}), ...(script.statusCode ? { statusCode: script.statusCode } : {}) };
      await report(op, module, 'INSTALLED', { progress: 100, ...carry });
      await o.store.setStage(op, index, 'FINISHED', module.softwareModule);
      await report(op, module, 'FINISHED_SUCCESS', { progress: 100, ...carry });
      return true;
    } catch (err) {
      if (closing.signal.aborted) throw shuttingDownError(); // stage kept: resumed on the next start
      // Steps throw ModuleFailure; what else escapes is a download-side LEDGE_SU_* error (size, disk,
      // checksum, HTTP, FILE confinement) or a bug / I/O error (internal runtime error).
      const failure =
        err instanceof ModuleFailure
          ? err
          : isLedgeError(err) && err.code.startsWith('LEDGE_SU_')
            ? new ModuleFailure(FailureMessages.download, err.code, err)
            : new ModuleFailure(FailureMessages.internal, undefined, err);
      mlog.warn({ err: failure.detail instanceof Error ? failure.detail : { message: String(failure.detail) }, statusCode: failure.statusCode }, 'module failed');
      await o.store.setStage(op, index, 'FINISHED', module.softwareModule).catch(() => undefined);
      await report(op, module, 'FINISHED_ERROR', { message: failure.kantoMessage, ...(failure.statusCode ? { statusCode: failure.statusCode } : {}) });
      return false;
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async function runOperation(op: StoredOperation): Promise<void> {
    const olog = log.child({ operationId: op.id, correlationId: op.action.correlationId, operation: op.operation });
    try {
      await o.sink.ready(closing.signal);
    } catch {
      return; // closing before the thing was known: stays stored
    }
    olog.info({ modules: op.action.softwareModules.length }, 'operation started');
    try {
      for (const [i, module] of op.action.softwareModules.entries()) {
        if (!(await runModule(op, i, module))) break;
      }
    } catch (err) {
      if (closing.signal.aborted) {
        olog.info('operation paused by shutdown; it resumes on the next start');
        return;
      }
      throw err;
    }
    await o.store.remove(op);
    olog.info('operation finished');
  }

  return {
    async start() {
      await o.store.init();
      Object.assign(last, await o.store.loadLast());
      // Stored only at final statuses, so a stored lastOperation is a finished one (unless hand-edited).
      const at = last.finishedAt;
      if (last.lastOperation !== undefined && isFinalStatus(last.lastOperation.status) && typeof at === 'number' && Number.isSafeInteger(at) && at >= 0) {
        lastFinished = { operation: last.lastOperation, at };
      }
      const stored = await o.store.list((dir) => log.warn({ dir }, 'unreadable stored operation removed'));
      for (const op of stored) {
        log.info({ operationId: op.id, correlationId: op.action.correlationId, operation: op.operation }, 'resuming a stored operation');
        queue.push(op);
      }
      kick();
    },
    async submit(operation, action) {
      if (closed) throw shuttingDownError();
      if (queue.length + accepting >= o.queueSize) throw queueFullError(queue.length + accepting);
      let op: StoredOperation;
      accepting++;
      try {
        op = await o.store.add(operation, action);
      } catch (err) {
        throw storeFailedError(err);
      } finally {
        accepting--;
      }
      log.info({ operationId: op.id, correlationId: action.correlationId, operation, modules: action.softwareModules.length }, 'operation accepted');
      queue.push(op);
      kick();
    },
    get last() {
      return last;
    },
    get lastFinished() {
      return lastFinished;
    },
    installedDependencies,
    get waiting() {
      return queue.length;
    },
    idle() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      await running;
      for (const w of idleWaiters) w();
    },
  };
}

