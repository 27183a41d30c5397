// What the container manager's operations share: the records, the name reservations, one lock per
// container, events, and the runtime calls every operation makes the same way (image present, task
// start, task stop). manager.ts wires the operations; container-plans.ts lists the steps of create and
// recreate.
import {
  runningState,
  startingHealth,
  type ContainerRuntime,
  type ExitEvent,
  type StopOptions,
} from '@ledge/container-management/model-containers';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import { alreadyRunningError, containerNotFoundError, imagePullError, runtimeError } from './errors';
import type { ManagerEvent } from './manager';
import { createNameReservations, type NameReservations } from './names';
import { runtimeIdOf, type ContainerRecord, type ContainerStore } from './store';

export const LIVE: ReadonlySet<string> = new Set(['RUNNING', 'PAUSED']);

export interface ManagerCore {
  readonly runtime: ContainerRuntime;
  readonly store: ContainerStore;
  readonly log: Logger;
  readonly now: () => number;
  readonly defaultStopTimeoutMs: number;
  readonly records: Map<string, ContainerRecord>;
  readonly names: NameReservations;
  /** Engine container ID → record ID, for exit events (a replacement's too, before its record points at it). */
  readonly owners: Map<string, string>;
  /** Engine IDs whose exit we are causing (stop, remove, recreate): not a crash. */
  readonly stopping: Set<string>;
  /** Quick exits in a row per record, for the crash-loop back-off. */
  readonly quickExits: Map<string, number>;
  /** Every operation of one container runs after the previous one (Ditto can send start and stop back to back). */
  readonly locks: Map<string, Promise<unknown>>;
  emit(e: ManagerEvent): void;
  onEvent(listener: (e: ManagerEvent) => void): () => void;
  serial<T>(id: string, fn: () => Promise<T>): Promise<T>;
  get(id: string): ContainerRecord;
  persist(r: ContainerRecord): Promise<void>;
  /** Runs a runtime call; its failure becomes LEDGE_CM_RUNTIME_FAILED naming the record's ID. */
  wrap<T>(op: string, id: string, fn: () => Promise<T>): Promise<T>;
  /** Pulls the image unless present; a failure is LEDGE_CM_IMAGE_PULL_FAILED. */
  ensureImage(ref: string): Promise<void>;
  /** Starts the task of a record that is not live. */
  startTask(r: ContainerRecord, byUser: boolean): Promise<void>;
  /** Starts the record's task without the state check (restoring a task we stopped ourselves). */
  launch(r: ContainerRecord, byUser: boolean): Promise<void>;
  /** Stops the record's task (thawing it first when paused); its exit is not taken for a crash. */
  stopTask(r: ContainerRecord, options: StopOptions): Promise<ExitEvent>;
}

export interface ManagerCoreOptions {
  runtime: ContainerRuntime;
  store: ContainerStore;
  log: Logger;
  now: () => number;
  defaultStopTimeoutMs: number;
}

/** The engine no longer has the container (its state was wiped): wrap()'s error around a NotFound. */
export function isGone(err: unknown): boolean {
  return isLedgeError(err) && isLedgeError(err.cause) && err.cause.kind === 'NotFound';
}

export function createManagerCore(o: ManagerCoreOptions): ManagerCore {
  const { runtime, store, log, now } = o;
  const records = new Map<string, ContainerRecord>();
  const listeners = new Set<(e: ManagerEvent) => void>();
  const locks = new Map<string, Promise<unknown>>();
  const stopping = new Set<string>();

  function* committedNames() {
    for (const r of records.values()) yield { id: r.id, name: r.config.name };
  }

  const wrap = async <T>(op: string, id: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw isLedgeError(err) && err.code.startsWith('LEDGE_CM_') ? err : runtimeError(op, id, err);
    }
  };

  const core: ManagerCore = {
    runtime,
    store,
    log,
    now,
    defaultStopTimeoutMs: o.defaultStopTimeoutMs,
    records,
    names: createNameReservations(committedNames),
    owners: new Map(),
    stopping,
    quickExits: new Map(),
    locks,
    emit(e) {
      for (const l of [...listeners]) {
        try {
          l(e);
        } catch (err) {
          log.error({ err }, 'manager listener failed');
        }
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    serial(id, fn) {
      const prev = locks.get(id) ?? Promise.resolve();
      const next = prev.then(fn, fn);
      const tail = next.catch(() => undefined);
      locks.set(id, tail);
      void tail.then(() => {
        if (locks.get(id) === tail) locks.delete(id);
      });
      return next;
    },
    get(id) {
      const r = records.get(id);
      if (r === undefined) throw containerNotFoundError(id);
      return r;
    },
    persist: (r) => store.save(r),
    wrap,
    async ensureImage(ref) {
      try {
        if ((await runtime.getImage(ref)) === undefined) await runtime.pullImage(ref);
      } catch (err) {
        throw imagePullError(ref, err);
      }
    },
    async startTask(r, byUser) {
      if (LIVE.has(r.state.status)) throw alreadyRunningError(r.id);
      await core.launch(r, byUser);
    },
    async launch(r, byUser) {
      const { pid } = await wrap('start', r.id, () => runtime.startContainer(runtimeIdOf(r), r.config));
      r.state = runningState(r.state, pid, new Date(now()));
      // A new run starts over (issue 18); the health monitor probes it from the `state` event on.
      if (r.config.healthCheck) r.health = startingHealth();
      if (byUser) {
        r.userStopped = false;
        r.restartCount = 0;
      }
      await store.save(r);
      core.emit({ type: 'state', record: r });
      log.info({ containerId: r.id, containerName: r.config.name, taskPid: pid }, 'container started');
    },
    async stopTask(r, options) {
      const rid = runtimeIdOf(r);
      stopping.add(rid);
      try {
        // A frozen task cannot act on SIGTERM: thaw it first (docker does the same).
        if (r.state.status === 'PAUSED') await wrap('resume', r.id, () => runtime.resumeContainer(rid));
        return await wrap('stop', r.id, () => runtime.stopContainer(rid, options));
      } finally {
        stopping.delete(rid);
      }
    },
  };
  return core;
}
