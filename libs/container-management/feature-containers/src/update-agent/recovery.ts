// After a restart of container management in the middle of an update (issue 18): the operation in memory
// is gone and its manager will not resume it, so the agent settles it at start from its journal. Before a
// successful activation, the previous state is restored (the `.new` containers removed, the `.old` ones
// renamed back, restart policy and limits put back, those that ran started); after it, the cleanup is
// finished. A journal that cannot be read still means an update was under way: then the `.new`/`.old`
// names alone guide a restore, as far as they can.
import type { Logger } from '@ledge/shared/util';
import type { ContainerManager } from '../manager';
import { NEW_SUFFIX, OLD_SUFFIX } from './component-config';
import type { JournalStore } from './journal';
import { phasePlan, describeOp } from './phase-plans';
import { restore } from './phases';
import { runOp } from './run-op';

export interface RecoveryResult {
  readonly activityId: string;
  /** The update had been activated and its cleanup is now done. */
  readonly completed: boolean;
  readonly message: string;
}

export interface RecoveryDeps {
  readonly manager: ContainerManager;
  readonly journal: JournalStore;
  readonly log: Logger;
}

/** Settles an update a restart interrupted; undefined when there was none. */
export async function recoverInterrupted(deps: RecoveryDeps): Promise<RecoveryResult | undefined> {
  const { manager, journal, log } = deps;
  let j;
  try {
    j = await journal.load();
  } catch (err) {
    log.error({ err }, 'update journal unreadable: restoring by container names');
    await restoreByNames(manager, log);
    await journal.clear().catch((e: unknown) => log.error({ err: e }, 'cannot remove the update journal'));
    return undefined;
  }
  if (j === undefined) return undefined;
  const problems: string[] = [];
  if (j.activated) {
    for (const step of phasePlan('cleanup', j.actions)) {
      await runOp(manager, step.op).catch((err: unknown) => problems.push(`${step.action}: ${describeOp(step.op)} failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  } else {
    problems.push(...(await restore(manager, j.actions, log)).map((e) => e.message));
  }
  await journal.clear().catch((err: unknown) => log.error({ err }, 'cannot remove the update journal'));
  const completed = j.activated && problems.length === 0;
  const message = j.activated
    ? `container management restarted after the activation; the cleanup is ${problems.length === 0 ? 'done' : `incomplete: ${problems.join('; ')}`}`
    : `container management restarted during the update; ${problems.length === 0 ? 'the previous state is restored' : `restoring the previous state failed: ${problems.join('; ')}`}`;
  log.warn({ activityId: j.activityId, activated: j.activated, problems }, 'interrupted update settled');
  return { activityId: j.activityId, completed, message };
}

/** No journal to go by: remove never-started `.new` containers, rename a `.old` back where its name is free. */
async function restoreByNames(manager: ContainerManager, log: Logger): Promise<void> {
  for (const r of manager.list()) {
    const name = r.config.name;
    try {
      // The agent creates them stopped with restart policy `no`; anything else is not one of its own.
      if (name.endsWith(NEW_SUFFIX) && r.state.status === 'CREATED' && r.config.restartPolicy.type === 'no') {
        await manager.remove(r.id, true);
        log.warn({ container: name }, 'removed the new container of an interrupted update');
      } else if (name.endsWith(OLD_SUFFIX)) {
        const base = name.slice(0, -OLD_SUFFIX.length);
        if (manager.findByName(base) !== undefined) {
          log.error({ container: name, holder: base }, 'the original of an interrupted update stays under its .old name: its name is taken');
          continue;
        }
        await manager.rename(r.id, base);
        log.warn({ container: base }, 'renamed the original of an interrupted update back');
      }
    } catch (err) {
      log.error({ err, container: name }, 'cannot restore a container of an interrupted update');
    }
  }
}
