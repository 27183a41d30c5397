// The container manager: owns the persisted container records, drives the runtime, applies restart
// policies on exits and tells listeners (the Ditto features) about every change. No wire formats here.
import { randomUUID } from 'node:crypto';
import {
  exitedState,
  formatTimestamp,
  initialState,
  runningState,
  stateFromTask,
  type ContainerConfig,
  type ContainerRuntime,
  type ExitEvent,
  type StopOptions,
  type UpdateRequest,
} from '@ledge/container-management-model';
import { createLogger, isLedgeError, onlyOnce, type Logger } from '@ledge/util';
import {
  alreadyRunningError,
  containerNotFoundError,
  imagePullError,
  managerClosedError,
  nameInUseError,
  notPausedError,
  notRunningError,
  removeRunningError,
  runtimeError,
} from './errors';
import { decideRestart, startOnBoot } from './restart-policy';
import type { ContainerRecord, ContainerStore } from './store';

export type ManagerEvent =
  | { type: 'created'; record: ContainerRecord }
  | { type: 'state'; record: ContainerRecord }
  | { type: 'renamed'; record: ContainerRecord }
  | { type: 'updated'; record: ContainerRecord }
  | { type: 'removed'; id: string };

export interface ContainerManagerOptions {
  runtime: ContainerRuntime;
  store: ContainerStore;
  logger?: Logger;
  /** Grace period of `stop` before SIGKILL; default 30 s (Kanto default_ctrs_stop_timeout). */
  defaultStopTimeoutMs?: number;
  /** Delay before a policy restart; default 1 s (keeps a crash loop from spinning). */
  restartDelayMs?: number;
  now?: () => number;
  newId?: () => string;
}

export interface CreateOptions {
  /** Name given by the user: a clash is an error. Otherwise a derived name is made unique. */
  named: boolean;
  start: boolean;
}

export interface ContainerManager {
  start(): Promise<void>;
  close(): Promise<void>;
  list(): ContainerRecord[];
  get(id: string): ContainerRecord;
  findByName(name: string): ContainerRecord | undefined;
  create(config: ContainerConfig, options: CreateOptions): Promise<ContainerRecord>;
  startContainer(id: string): Promise<void>;
  stop(id: string, options?: Partial<StopOptions>): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  update(id: string, change: UpdateRequest): Promise<void>;
  remove(id: string, force: boolean): Promise<void>;
  /** Replaces a container's config (deployment update): removes and recreates under the same ID. */
  recreate(id: string, config: ContainerConfig): Promise<void>;
  onEvent(listener: (e: ManagerEvent) => void): () => void;
  readonly defaultStopTimeoutMs: number;
}

const LIVE = new Set(['RUNNING', 'PAUSED']);

export function createContainerManager(options: ContainerManagerOptions): ContainerManager {
  const { runtime, store } = options;
  const log = (options.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'container-manager' });
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const defaultStopTimeoutMs = options.defaultStopTimeoutMs ?? 30_000;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const records = new Map<string, ContainerRecord>();
  const listeners = new Set<(e: ManagerEvent) => void>();
  /** IDs whose exit is being handled by stop/remove (the exit event is then not a crash). */
  const stopping = new Set<string>();
  const locks = new Map<string, Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const quickExits = new Map<string, number>();
  let unsubscribeExit: (() => void) | undefined;
  let closed = false;

  const emit = (e: ManagerEvent) => {
    for (const l of [...listeners]) {
      try {
        l(e);
      } catch (err) {
        log.error({ err }, 'manager listener failed');
      }
    }
  };

  /** One operation per container at a time (Ditto can send start and stop back to back). */
  const serial = <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const prev = locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    locks.set(id, tail);
    void tail.then(() => {
      if (locks.get(id) === tail) locks.delete(id);
    });
    return next;
  };

  const get = (id: string): ContainerRecord => {
    const r = records.get(id);
    if (r === undefined) throw containerNotFoundError(id);
    return r;
  };

  const persist = async (r: ContainerRecord) => {
    await store.save(r);
  };

  const wrap = async <T>(op: string, id: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw isLedgeError(err) && err.code.startsWith('LEDGE_CM_') ? err : runtimeError(op, id, err);
    }
  };

  const doStart = async (r: ContainerRecord, byUser: boolean) => {
    if (LIVE.has(r.state.status)) throw alreadyRunningError(r.id);
    const { pid } = await wrap('start', r.id, () => runtime.startContainer(r.id, r.config));
    r.state = runningState(r.state, pid, new Date(now()));
    if (byUser) {
      r.userStopped = false;
      r.restartCount = 0;
    }
    await persist(r);
    emit({ type: 'state', record: r });
    log.info({ containerId: r.id, name: r.config.name, pid }, 'container started');
  };

  const onExit = (e: ExitEvent) => {
    const r = records.get(e.id);
    if (r === undefined || stopping.has(e.id) || closed) return;
    void serial(e.id, async () => {
      if (!records.has(e.id) || !LIVE.has(r.state.status)) return;
      r.state = exitedState(r.state, e, false);
      const decision = decideRestart(r.config.restartPolicy, e.exitCode, r, now());
      if (decision.restart) {
        r.restartCount = decision.book.restartCount;
        r.restartWindowStart = decision.book.restartWindowStart;
      }
      await persist(r);
      emit({ type: 'state', record: r });
      // Crash loops back off like docker: the delay doubles per quick exit (up to 64×, at most 1 min)
      // and resets once a run lasted 10 s.
      const ranMs = now() - (Date.parse(r.state.startedAt) || 0);
      const streak = ranMs >= 10_000 ? 0 : (quickExits.get(r.id) ?? 0) + 1;
      quickExits.set(r.id, streak);
      log.info({ containerId: r.id, exitCode: e.exitCode, oomKilled: e.oomKilled, restart: decision.restart }, 'container exited');
      if (decision.restart) scheduleRestart(r.id, Math.min(60_000, restartDelayMs * 2 ** Math.min(Math.max(streak - 1, 0), 6)));
    }).catch((err: unknown) => log.error({ err, containerId: e.id }, 'handling a container exit failed'));
  };

  const scheduleRestart = (id: string, delayMs: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      void serial(id, async () => {
        const r = records.get(id);
        if (r === undefined || r.userStopped || LIVE.has(r.state.status) || closed) return;
        await doStart(r, false);
      }).catch((err: unknown) => log.warn({ err, containerId: id }, 'policy restart failed'));
    }, delayMs);
    timers.add(t);
  };

  const uniqueName = (base: string) => {
    const taken = new Set([...records.values()].map((r) => r.config.name));
    if (!taken.has(base)) return base;
    for (let i = 1; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  };

  const checkOpen = () => {
    if (closed) throw managerClosedError();
  };

  return {
    defaultStopTimeoutMs,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    list: () => [...records.values()],
    get,
    findByName: (name) => [...records.values()].find((r) => r.config.name === name),

    async start() {
      unsubscribeExit = runtime.onExit(onExit);
      const { records: loaded, errors } = await store.load();
      for (const err of errors) log.warn({ err }, 'skipping a container record');
      for (const r of loaded) {
        records.set(r.id, r);
        const wasRunning = LIVE.has(r.state.status);
        try {
          const task = wasRunning ? await runtime.attach(r.id, r.config) : await runtime.taskInfo(r.id).catch(() => undefined);
          const next = stateFromTask(r.state, task);
          if (next.status !== r.state.status || next.pid !== r.state.pid) {
            r.state = next;
            await persist(r);
          }
          if (!LIVE.has(r.state.status) && startOnBoot(r.config.restartPolicy, r.userStopped, wasRunning)) await serial(r.id, () => doStart(r, false));
        } catch (err) {
          log.error({ err, containerId: r.id }, 'cannot restore container');
        }
      }
      log.info({ containers: records.size }, 'containers loaded');
    },

    close: onlyOnce(async () => {
      closed = true;
      unsubscribeExit?.();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...locks.values()]);
    }),

    async create(config, opts) {
      checkOpen();
      if (opts.named && [...records.values()].some((r) => r.config.name === config.name)) throw nameInUseError(config.name);
      const id = newId();
      const name = opts.named ? config.name : uniqueName(config.name);
      const cfg: ContainerConfig = { ...config, name };
      const record: ContainerRecord = { id, config: cfg, createdAt: formatTimestamp(new Date(now())), state: { ...initialState(), status: 'CREATING' }, userStopped: false, restartCount: 0, restartWindowStart: 0 };
      return serial(id, async () => {
        try {
          if ((await runtime.getImage(cfg.imageRef)) === undefined) await runtime.pullImage(cfg.imageRef);
        } catch (err) {
          throw imagePullError(cfg.imageRef, err);
        }
        await wrap('create', id, () => runtime.createContainer(id, cfg));
        record.state = initialState();
        records.set(id, record);
        await persist(record);
        emit({ type: 'created', record });
        log.info({ containerId: id, name: cfg.name, imageRef: cfg.imageRef }, 'container created');
        if (opts.start) await doStart(record, true);
        return record;
      });
    },

    startContainer: (id) => serial(id, async () => doStart(get(id), true)),

    stop: (id, stopOptions) =>
      serial(id, async () => {
        const r = get(id);
        if (!LIVE.has(r.state.status)) throw notRunningError(id, r.state.status);
        stopping.add(id);
        try {
          // A frozen task cannot act on SIGTERM: thaw it first (docker does the same).
          if (r.state.status === 'PAUSED') await wrap('resume', id, () => runtime.resumeContainer(id));
          const exit = await wrap('stop', id, () => runtime.stopContainer(id, { timeoutMs: defaultStopTimeoutMs, ...stopOptions }));
          r.state = exitedState(r.state, exit, true);
          r.userStopped = true;
          await persist(r);
          emit({ type: 'state', record: r });
        } finally {
          stopping.delete(id);
        }
      }),

    pause: (id) =>
      serial(id, async () => {
        const r = get(id);
        if (r.state.status !== 'RUNNING') throw notRunningError(id, r.state.status);
        await wrap('pause', id, () => runtime.pauseContainer(id));
        r.state = { ...r.state, status: 'PAUSED' };
        await persist(r);
        emit({ type: 'state', record: r });
      }),

    resume: (id) =>
      serial(id, async () => {
        const r = get(id);
        if (r.state.status !== 'PAUSED') throw notPausedError(id, r.state.status);
        await wrap('resume', id, () => runtime.resumeContainer(id));
        r.state = { ...r.state, status: 'RUNNING' };
        await persist(r);
        emit({ type: 'state', record: r });
      }),

    rename: (id, name) =>
      serial(id, async () => {
        const r = get(id);
        if (r.config.name === name) return;
        if ([...records.values()].some((o) => o.config.name === name)) throw nameInUseError(name);
        r.config = { ...r.config, name };
        await persist(r);
        emit({ type: 'renamed', record: r });
      }),

    update: (id, change) =>
      serial(id, async () => {
        const r = get(id);
        const next: ContainerConfig = { ...r.config };
        if (change.restartPolicy) next.restartPolicy = change.restartPolicy;
        if (change.resources) next.resources = { ...r.config.resources, ...change.resources };
        if (change.resources && LIVE.has(r.state.status)) await wrap('update', id, () => runtime.updateResources(id, next.resources));
        r.config = next;
        r.restartCount = 0;
        await persist(r);
        emit({ type: 'updated', record: r });
      }),

    remove: (id, force) =>
      serial(id, async () => {
        const r = get(id);
        if (LIVE.has(r.state.status) && !force) throw removeRunningError(id);
        stopping.add(id);
        try {
          await wrap('remove', id, () => runtime.removeContainer(id, { force })).catch((err: unknown) => {
            // The engine lost it already (containerd state wiped): the record still goes.
            if (isLedgeError(err) && isLedgeError(err.cause) && err.cause.kind === 'NotFound') return;
            throw err;
          });
        } finally {
          stopping.delete(id);
        }
        records.delete(id);
        quickExits.delete(id);
        await store.remove(id);
        emit({ type: 'removed', id });
        log.info({ containerId: id }, 'container removed');
      }),

    recreate: (id, config) =>
      serial(id, async () => {
        const r = get(id);
        const wasLive = LIVE.has(r.state.status);
        stopping.add(id);
        try {
          await wrap('remove', id, () => runtime.removeContainer(id, { force: true }));
        } finally {
          stopping.delete(id);
        }
        try {
          if ((await runtime.getImage(config.imageRef)) === undefined) await runtime.pullImage(config.imageRef);
        } catch (err) {
          throw imagePullError(config.imageRef, err);
        }
        await wrap('create', id, () => runtime.createContainer(id, config));
        r.config = config;
        r.state = initialState();
        await persist(r);
        emit({ type: 'updated', record: r });
        emit({ type: 'state', record: r });
        if (wasLive || startOnBoot(config.restartPolicy, false, false)) await doStart(r, true);
      }),
  };
}
