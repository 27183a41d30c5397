// The container manager: owns the persisted container records, drives the runtime, applies restart
// policies on exits and tells listeners (the Ditto features) about every change. No wire formats here.
// Shared internals live in manager-core.ts; the steps of create and recreate in container-plans.ts.
import { randomUUID } from 'node:crypto';
import {
  exitedState,
  formatTimestamp,
  initialState,
  stateFromTask,
  type ContainerConfig,
  type ContainerRuntime,
  type StopOptions,
  type UpdateRequest,
} from '@ledge/container-management/model-containers';
import { createLogger, onlyOnce, systemScheduler, type Logger, type Scheduler } from '@ledge/shared/util';
import { createPlan, recreatePlan, removeLeftovers } from './container-plans';
import { containerNotFoundError, invalidRequestError, managerClosedError, nameInUseError, notPausedError, notRunningError, removeRunningError } from './errors';
import { createManagerCore, isGone, LIVE } from './manager-core';
import { createExitHandler } from './exit-handler';
import { createHealthMonitor } from './health-monitor';
import { defaultNetworkProbes, type NetworkProbes } from './health-probes';
import { waitHealthy } from './wait-healthy';
import { startOnBoot } from './restart-policy';
import { runPlan } from './steps';
import { runtimeIdOf, type ContainerRecord, type ContainerStore } from './store';

export type ManagerEvent =
  | { type: 'created'; record: ContainerRecord }
  | { type: 'state'; record: ContainerRecord }
  | { type: 'renamed'; record: ContainerRecord }
  | { type: 'updated'; record: ContainerRecord }
  /** record.health changed (or went away with its check): issue 18. */
  | { type: 'health'; record: ContainerRecord }
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
  /** Timers of policy restarts (restartDelayMs and the crash-loop back-off), health probes and waitHealthy; default the system's. */
  scheduler?: Scheduler;
  /** HTTP and TCP health probes; default real ones from the host to the container's address. */
  networkProbes?: NetworkProbes;
  /** waitHealthy: how long a container without a health check must run to count; default 1 s. */
  healthSettleMs?: number;
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
  /** The name is reserved when called: a concurrent create of the same name fails with LEDGE_CM_NAME_IN_USE. */
  create(config: ContainerConfig, options: CreateOptions): Promise<ContainerRecord>;
  startContainer(id: string): Promise<void>;
  stop(id: string, options?: Partial<StopOptions>): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  update(id: string, change: UpdateRequest): Promise<void>;
  remove(id: string, force: boolean): Promise<void>;
  /**
   * Replaces a container's config (deployment update, SoftwareUpdatable install) under the same ID: the
   * replacement is pulled and created before the original stops; on a failure the original runs on.
   */
  recreate(id: string, config: ContainerConfig): Promise<void>;
  /**
   * Resolves once the container is RUNNING and its health check says healthy (without a check: RUNNING
   * for healthSettleMs, 1 s by default). Rejects with LEDGE_CM_NOT_HEALTHY (details.reason) when it
   * exits (even if its restart policy starts it again), turns unhealthy, is removed or not running, or
   * when `deadlineMs` (from the call) passes first; LEDGE_CM_CONTAINER_NOT_FOUND for an unknown ID;
   * LEDGE_CM_MANAGER_CLOSED when the manager closes meanwhile.
   */
  waitHealthy(id: string, options: { deadlineMs: number }): Promise<void>;
  onEvent(listener: (e: ManagerEvent) => void): () => void;
  readonly defaultStopTimeoutMs: number;
}

export function createContainerManager(options: ContainerManagerOptions): ContainerManager {
  const logger = options.logger ?? createLogger({ name: 'ledge', level: 'silent' });
  const core = createManagerCore({
    runtime: options.runtime,
    store: options.store,
    log: logger.child({ component: 'container-manager' }),
    now: options.now ?? Date.now,
    defaultStopTimeoutMs: options.defaultStopTimeoutMs ?? 30_000,
  });
  const { runtime, store, log, records, serial, get, persist, wrap, emit } = core;
  const newId = options.newId ?? randomUUID;
  const state = { closed: false };
  const scheduler = options.scheduler ?? systemScheduler;
  const exits = createExitHandler(core, options.restartDelayMs ?? 1000, state, scheduler);
  const health = createHealthMonitor({ core, log: logger.child({ component: 'health-monitor' }), scheduler, network: options.networkProbes ?? defaultNetworkProbes, state });
  const waiters = new Set<() => void>();
  let unsubscribeExit: (() => void) | undefined;

  const checkOpen = () => {
    if (state.closed) throw managerClosedError();
  };

  /** Loads a record and brings it in line with its task: attach a running one, start per policy. */
  const restore = async (r: ContainerRecord) => {
    const rid = runtimeIdOf(r);
    const wasRunning = LIVE.has(r.state.status);
    try {
      const task = wasRunning ? await runtime.attach(rid, r.config) : await runtime.taskInfo(rid).catch(() => undefined);
      const next = stateFromTask(r.state, task);
      if (next.status !== r.state.status || next.pid !== r.state.pid) {
        r.state = next;
        await persist(r);
      }
      if (!LIVE.has(r.state.status) && startOnBoot(r.config.restartPolicy, r.userStopped, wasRunning)) await serial(r.id, () => core.startTask(r, false));
    } catch (err) {
      log.error({ err, containerId: r.id }, 'cannot restore container');
    }
  };

  return {
    defaultStopTimeoutMs: core.defaultStopTimeoutMs,
    onEvent: (listener) => core.onEvent(listener),
    list: () => [...records.values()],
    get,
    findByName: (name) => [...records.values()].find((r) => r.config.name === name),

    async start() {
      unsubscribeExit = runtime.onExit(exits.onExit);
      const { records: loaded, errors } = await store.load();
      for (const err of errors) log.warn({ err }, 'skipping a container record');
      for (const r of loaded) {
        records.set(r.id, r);
        core.owners.set(runtimeIdOf(r), r.id);
      }
      // Before any task starts: a replacement left running must not meet its original.
      await removeLeftovers(core);
      for (const r of loaded) await restore(r);
      health.resume();
      log.info({ containers: records.size }, 'containers loaded');
    },

    close: onlyOnce(async () => {
      state.closed = true;
      unsubscribeExit?.();
      exits.close();
      health.close();
      for (const wake of [...waiters]) wake();
      await Promise.allSettled([...core.locks.values()]);
    }),

    async create(config, opts) {
      checkOpen();
      const id = newId();
      // Reserved now, synchronously: a second create of this name fails here, not after both pulled.
      const { name, release } = opts.named ? { name: config.name, release: core.names.reserve(config.name, id) } : core.names.reserveUnique(config.name, id);
      const record: ContainerRecord = {
        id,
        config: { ...config, name },
        createdAt: formatTimestamp(new Date(core.now())),
        state: { ...initialState(), status: 'CREATING' },
        userStopped: false,
        restartCount: 0,
        restartWindowStart: 0,
      };
      return serial(id, async () => {
        await runPlan(createPlan(core, record, release), log);
        emit({ type: 'created', record });
        log.info({ containerId: id, containerName: name, imageRef: config.imageRef }, 'container created');
        if (opts.start) await core.startTask(record, true);
        return record;
      });
    },

    startContainer: (id) => serial(id, async () => core.startTask(get(id), true)),

    stop: (id, stopOptions) =>
      serial(id, async () => {
        const r = get(id);
        if (!LIVE.has(r.state.status)) throw notRunningError(id, r.state.status);
        const exit = await core.stopTask(r, { timeoutMs: core.defaultStopTimeoutMs, ...stopOptions });
        r.state = exitedState(r.state, exit, true);
        r.userStopped = true;
        await persist(r);
        emit({ type: 'state', record: r });
      }),

    pause: (id) =>
      serial(id, async () => {
        const r = get(id);
        if (r.state.status !== 'RUNNING') throw notRunningError(id, r.state.status);
        await wrap('pause', id, () => runtime.pauseContainer(runtimeIdOf(r)));
        r.state = { ...r.state, status: 'PAUSED' };
        await persist(r);
        emit({ type: 'state', record: r });
      }),

    resume: (id) =>
      serial(id, async () => {
        const r = get(id);
        if (r.state.status !== 'PAUSED') throw notPausedError(id, r.state.status);
        await wrap('resume', id, () => runtime.resumeContainer(runtimeIdOf(r)));
        r.state = { ...r.state, status: 'RUNNING' };
        await persist(r);
        emit({ type: 'state', record: r });
      }),

    rename: (id, name) =>
      serial(id, async () => {
        const r = get(id);
        if (r.config.name === name) return;
        // Checked and taken in one synchronous stretch: no create or rename can slip in between.
        if (core.names.isTaken(name, id)) throw nameInUseError(name);
        r.config = { ...r.config, name };
        await persist(r);
        emit({ type: 'renamed', record: r });
      }),

    update: (id, change) =>
      serial(id, async () => {
        const r = get(id);
        const next: ContainerConfig = { ...r.config };
        if (change.restartPolicy?.type === 'on-unhealthy' && !r.config.healthCheck) throw invalidRequestError('update value', ['restartPolicy.type: ON_UNHEALTHY needs a health check (the container has none)']);
        if (change.restartPolicy) next.restartPolicy = change.restartPolicy;
        if (change.resources) next.resources = { ...r.config.resources, ...change.resources };
        if (change.resources && LIVE.has(r.state.status)) await wrap('update', id, () => runtime.updateResources(runtimeIdOf(r), next.resources));
        r.config = next;
        r.restartCount = 0;
        await persist(r);
        emit({ type: 'updated', record: r });
      }),

    remove: (id, force) =>
      serial(id, async () => {
        const r = get(id);
        if (LIVE.has(r.state.status) && !force) throw removeRunningError(id);
        const rid = runtimeIdOf(r);
        core.stopping.add(rid);
        try {
          await wrap('remove', id, () => runtime.removeContainer(rid, { force })).catch((err: unknown) => {
            // The engine lost it already (containerd state wiped): the record still goes.
            if (!isGone(err)) throw err;
          });
        } finally {
          core.stopping.delete(rid);
        }
        records.delete(id);
        core.owners.delete(rid);
        core.quickExits.delete(id);
        await store.remove(id);
        emit({ type: 'removed', id });
        log.info({ containerId: id }, 'container removed');
      }),

    waitHealthy: (id, { deadlineMs }) => waitHealthy({ core, scheduler, settleMs: options.healthSettleMs ?? 1000, state, waiters }, id, deadlineMs),

    async recreate(id, config) {
      checkOpen();
      const r = get(id);
      // A new name is reserved now, like create's (an unchanged name is the record's already).
      const release = config.name === r.config.name ? () => undefined : core.names.reserve(config.name, id);
      return serial(id, async () => {
        if (!records.has(id)) {
          release();
          throw containerNotFoundError(id);
        }
        const from = { runtimeId: runtimeIdOf(r), imageRef: r.config.imageRef };
        await runPlan(recreatePlan(core, r, config, release), log);
        emit({ type: 'updated', record: r });
        emit({ type: 'state', record: r });
        log.info({ containerId: id, from, to: { runtimeId: runtimeIdOf(r), imageRef: config.imageRef } }, 'container recreated');
      });
    },
  };
}
