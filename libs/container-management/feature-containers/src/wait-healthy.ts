// waitHealthy (issue 18): what an update waits for before it calls a new container good, and rolls back
// otherwise. Healthy means RUNNING and its health check healthy; without a check, RUNNING for a settle
// time, so that a container that exits at once is not taken for a good one. The first exit (even one its
// restart policy undoes), an unhealthy verdict, a removal or the deadline ends the wait with
// LEDGE_CM_NOT_HEALTHY saying which.
import type { Scheduler, Timer } from '@ledge/shared/util';
import { containerNotFoundError, managerClosedError, notHealthyError } from './errors';
import type { ManagerCore } from './manager-core';
import type { ContainerRecord } from './store';

export interface WaitHealthyDeps {
  core: ManagerCore;
  scheduler: Scheduler;
  /** How long a container without a check must have been running. */
  settleMs: number;
  state: { readonly closed: boolean };
  /** Pending waits, woken when the manager closes. */
  waiters: Set<() => void>;
}

type Verdict = { done: true; error?: Error } | { done: false; recheckInMs?: number };

/** Where a container stands for a waiter right now. */
function verdict(r: ContainerRecord | undefined, id: string, deps: WaitHealthyDeps): Verdict {
  if (r === undefined) return { done: true, error: notHealthyError(id, { reason: 'removed' }) };
  if (deps.state.closed) return { done: true, error: managerClosedError() };
  const { status, exitCode } = r.state;
  if (status === 'EXITED' || status === 'STOPPED' || status === 'DEAD') {
    return { done: true, error: notHealthyError(id, { reason: 'exited', exitCode, ...(r.state.error ? { output: r.state.error } : {}) }) };
  }
  if (status === 'CREATED' || status === 'CREATING') return { done: true, error: notHealthyError(id, { reason: 'not-running', status }) };
  if (status !== 'RUNNING') return { done: false }; // PAUSED, UNKNOWN: not yet
  if (r.config.healthCheck !== undefined) {
    if (r.health?.status === 'healthy') return { done: true };
    if (r.health?.status === 'unhealthy') return { done: true, error: notHealthyError(id, { reason: 'unhealthy', output: r.health.lastOutput ?? '' }) };
    return { done: false };
  }
  const ranMs = deps.core.now() - (Date.parse(r.state.startedAt) || 0);
  return ranMs >= deps.settleMs ? { done: true } : { done: false, recheckInMs: deps.settleMs - ranMs };
}

export function waitHealthy(deps: WaitHealthyDeps, id: string, deadlineMs: number): Promise<void> {
  const { core, scheduler } = deps;
  if (deps.state.closed) return Promise.reject(managerClosedError());
  if (!core.records.has(id)) return Promise.reject(containerNotFoundError(id));
  return new Promise<void>((resolve, reject) => {
    let settleTimer: Timer | undefined;
    const timers: Timer[] = [];
    const finish = (error?: Error) => {
      off();
      deps.waiters.delete(check);
      settleTimer?.cancel();
      for (const t of timers) t.cancel();
      if (error) reject(error);
      else resolve();
    };
    function check(): void {
      const v = verdict(core.records.get(id), id, deps);
      if (v.done) return finish(v.error);
      if (v.recheckInMs !== undefined && settleTimer === undefined) {
        settleTimer = scheduler
          .setTimeout(() => {
            settleTimer = undefined;
            check();
          }, v.recheckInMs)
          .unref();
      }
    }
    const off = core.onEvent((e) => {
      if (e.type === 'removed' ? e.id === id : e.record.id === id) check();
    });
    deps.waiters.add(check);
    // A pending deadline does not keep the daemon alive: close() wakes the waiters.
    timers.push(
      scheduler
        .setTimeout(() => {
          const r = core.records.get(id);
          const waitingFor = r?.config.healthCheck ? `health ${r.health?.status ?? 'starting'}` : `status ${r?.state.status ?? 'gone'}`;
          finish(notHealthyError(id, { reason: 'deadline', deadlineMs, waitingFor, ...(r?.health?.lastOutput ? { output: r.health.lastOutput } : {}) }));
        }, Math.max(0, deadlineMs))
        .unref(),
    );
    check();
  });
}
