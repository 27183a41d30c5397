// The health monitor (issue 18): one probe loop per RUNNING container that has a check, driven by the
// manager's events (a start, a recreate or a policy restart begins a new run: health `starting`; an exit,
// stop or remove ends the loop). A paused container is not probed (its processes are frozen) and its
// failures do not count. With `on-unhealthy` the container is restarted when it turns unhealthy.
//
// The health is kept on the record. It is persisted and sent (manager event `health` → the twin) only when
// its status changes or a failure counts toward `retries`, not after every probe: on a device's flash a
// write every interval per container adds up, and so does a twin update per probe on a metered link.
// Reading the record (`ledge cm get`) shows the last probe anyway.
import { isDeepStrictEqual } from 'node:util';
import { exitedState, formatTimestamp, nextHealth, startingHealth, type ContainerHealth, type HealthCheck } from '@ledge/container-management/model-containers';
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';
import { LIVE, type ManagerCore } from './manager-core';
import type { ManagerEvent } from './manager';
import { clipOutput, runProbe, type NetworkProbes } from './health-probes';
import { runtimeIdOf, type ContainerRecord } from './store';

export interface HealthMonitorOptions {
  core: ManagerCore;
  /** Its own child of the app's logger (a child of the manager's would carry `component` twice). */
  log: Logger;
  scheduler: Scheduler;
  network: NetworkProbes;
  /** Shared with the manager: no probe or restart once it is closing. */
  state: { readonly closed: boolean };
}

export interface HealthMonitor {
  /** After the records are restored: probe the running ones, keeping the health they had. */
  resume(): void;
  close(): void;
}

interface Loop {
  /** The run being probed: engine ID and task pid. */
  readonly run: string;
  readonly check: HealthCheck;
  timer: Timer | undefined;
  stopped: boolean;
}

const runOf = (r: ContainerRecord) => `${runtimeIdOf(r)}:${r.state.pid}`;

export function createHealthMonitor(o: HealthMonitorOptions): HealthMonitor {
  const { core, log, scheduler, state } = o;
  const loops = new Map<string, Loop>();

  const stop = (id: string) => {
    const loop = loops.get(id);
    if (loop === undefined) return;
    loop.stopped = true;
    loop.timer?.cancel();
    loops.delete(id);
  };

  /** Sends a health change now; writes it behind the container's other operations. */
  const publish = (r: ContainerRecord) => {
    core.emit({ type: 'health', record: r });
    void core.serial(r.id, () => core.persist(r)).catch((err: unknown) => log.warn({ err, containerId: r.id }, 'health not persisted'));
  };

  /** Brings the loop of `r` in line with its state; `keep` keeps a restored record's health. */
  const sync = (r: ContainerRecord, keep = false) => {
    const check = r.config.healthCheck;
    if (check === undefined) {
      stop(r.id);
      if (r.health !== undefined) {
        delete r.health;
        publish(r);
      }
      return;
    }
    if (!LIVE.has(r.state.status)) return stop(r.id); // the last run's health stays until the next start
    const current = loops.get(r.id);
    if (current && current.run === runOf(r) && isDeepStrictEqual(current.check, check)) return;
    const newRun = current?.run !== runOf(r);
    stop(r.id);
    if (!(keep && r.health) && (newRun || r.health === undefined)) {
      r.health = startingHealth();
      publish(r);
    }
    const loop: Loop = { run: runOf(r), check, timer: undefined, stopped: false };
    loops.set(r.id, loop);
    schedule(r.id, loop);
  };

  const schedule = (id: string, loop: Loop) => {
    if (loop.stopped || state.closed) return;
    // A pending probe does not keep the daemon alive: close() ends the loops.
    loop.timer = scheduler
      .setTimeout(() => {
        loop.timer = undefined;
        void probe(id, loop).catch((err: unknown) => log.error({ err, containerId: id }, 'health probe failed'));
      }, loop.check.intervalMs)
      .unref();
  };

  const probe = async (id: string, loop: Loop) => {
    const r = core.records.get(id);
    if (r === undefined || loop.stopped || state.closed) return;
    if (r.state.status !== 'RUNNING') return schedule(id, loop); // paused: frozen, not failing
    const result = await runProbe(core.runtime, o.network, runtimeIdOf(r), loop.check);
    if (loop.stopped || state.closed || loops.get(id) !== loop || runOf(r) !== loop.run) return;
    const now = core.now();
    const prev = r.health ?? startingHealth();
    const next = nextHealth(prev, { ok: result.ok, output: clipOutput(result.output), at: formatTimestamp(new Date(now)) }, {
      retries: loop.check.retries,
      inStartPeriod: now - (Date.parse(r.state.startedAt) || 0) < loop.check.startPeriodMs,
    });
    r.health = next;
    if (next.status !== prev.status || (next.failingStreak !== prev.failingStreak && next.failingStreak <= loop.check.retries)) {
      publish(r);
      if (next.status !== prev.status) log.info({ containerId: id, health: next.status, failingStreak: next.failingStreak, output: next.lastOutput }, 'container health changed');
    }
    if (next.status === 'unhealthy' && prev.status !== 'unhealthy' && r.config.restartPolicy.type === 'on-unhealthy') return restartUnhealthy(r, loop, next);
    schedule(id, loop);
  };

  /** on-unhealthy: stop the run (its exit is ours, not a crash) and start it again. */
  const restartUnhealthy = (r: ContainerRecord, loop: Loop, health: ContainerHealth) => {
    void core
      .serial(r.id, async () => {
        // Anything may have happened while queued: only the run that was found unhealthy is restarted.
        if (state.closed || core.records.get(r.id) !== r || r.state.status !== 'RUNNING' || runOf(r) !== loop.run || r.config.restartPolicy.type !== 'on-unhealthy') return;
        log.warn({ containerId: r.id, failingStreak: health.failingStreak, output: health.lastOutput }, 'restarting unhealthy container');
        const exit = await core.stopTask(r, { timeoutMs: core.defaultStopTimeoutMs });
        r.state = { ...exitedState(r.state, exit, false), error: 'unhealthy' };
        r.restartCount += 1;
        await core.persist(r);
        core.emit({ type: 'state', record: r });
        await core.launch(r, false);
      })
      .catch((err: unknown) => log.error({ err, containerId: r.id }, 'restarting unhealthy container failed'))
      // Not restarted (the stop failed, or its policy changed meanwhile): the same run is probed on.
      .finally(() => {
        if (loops.get(r.id) === loop) schedule(r.id, loop);
      });
  };

  const onEvent = (e: ManagerEvent) => {
    if (state.closed) return;
    if (e.type === 'removed') stop(e.id);
    else if (e.type !== 'health' && e.type !== 'renamed') sync(e.record);
  };
  const off = core.onEvent(onEvent);

  return {
    resume() {
      for (const r of core.records.values()) sync(r, true);
    },
    close() {
      off();
      for (const id of [...loops.keys()]) stop(id);
    },
  };
}
