// Task exits the manager did not cause (crash, exit, OOM): record them and apply the restart policy, with
// a crash-loop back-off. Exits of stops, removes and recreates are filtered out (core.stopping), and so
// are late exits of a task that is no longer the record's (a replaced original, an earlier run).
import { exitedState, type ExitEvent } from '@ledge/container-management/model-containers';
import type { Scheduler, Timer } from '@ledge/shared/util';
import { LIVE, type ManagerCore } from './manager-core';
import { decideRestart } from './restart-policy';
import { runtimeIdOf } from './store';

export interface ExitHandler {
  onExit(e: ExitEvent): void;
  close(): void;
}

export function createExitHandler(core: ManagerCore, restartDelayMs: number, state: { closed: boolean }, scheduler: Scheduler): ExitHandler {
  const { records, serial, log, now } = core;
  const timers = new Set<Timer>();

  const scheduleRestart = (id: string, delayMs: number) => {
    const t = scheduler.setTimeout(() => {
      timers.delete(t);
      void serial(id, async () => {
        const r = records.get(id);
        if (r === undefined || r.userStopped || LIVE.has(r.state.status) || state.closed) return;
        await core.startTask(r, false);
      }).catch((err: unknown) => log.warn({ err, containerId: id }, 'policy restart failed'));
    }, delayMs);
    timers.add(t);
  };

  const onExit = (e: ExitEvent) => {
    const id = core.owners.get(e.id);
    if (id === undefined || core.stopping.has(e.id) || state.closed) return;
    void serial(id, async () => {
      const r = records.get(id);
      // Not the record's current task: an original that was replaced, or a task since started again.
      if (r === undefined || runtimeIdOf(r) !== e.id || !LIVE.has(r.state.status) || (r.state.pid > 0 && e.pid > 0 && e.pid !== r.state.pid)) return;
      r.state = exitedState(r.state, e, false);
      const decision = decideRestart(r.config.restartPolicy, e.exitCode, r, now());
      if (decision.restart) {
        r.restartCount = decision.book.restartCount;
        r.restartWindowStart = decision.book.restartWindowStart;
      }
      await core.persist(r);
      core.emit({ type: 'state', record: r });
      // Crash loops back off like docker: the delay doubles per quick exit (up to 64×, at most 1 min)
      // and resets once a run lasted 10 s.
      const ranMs = now() - (Date.parse(r.state.startedAt) || 0);
      const streak = ranMs >= 10_000 ? 0 : (core.quickExits.get(r.id) ?? 0) + 1;
      core.quickExits.set(r.id, streak);
      log.info({ containerId: r.id, exitCode: e.exitCode, oomKilled: e.oomKilled, restart: decision.restart }, 'container exited');
      if (decision.restart) scheduleRestart(r.id, Math.min(60_000, restartDelayMs * 2 ** Math.min(Math.max(streak - 1, 0), 6)));
    }).catch((err: unknown) => log.error({ err, containerId: id }, 'handling a container exit failed'));
  };

  return {
    onExit,
    close() {
      for (const t of timers) t.cancel();
      timers.clear();
    },
  };
}
