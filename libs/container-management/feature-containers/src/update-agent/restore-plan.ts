// Back to the state before an update, from whatever point it reached (ROLLBACK, a CLEANUP after a failed
// phase, a daemon restart in the middle): the plan is computed from the containers found by name, so it
// works after any prefix of the phase plans and is a no-op when run twice. Order matters and is fixed:
// first every container the update made goes (its ports and devices are free again), then the originals
// get their names back, their restart policy and limits, and those that ran are started. Pure.
import type { Resources, RestartPolicy } from '@ledge/container-management/model-containers';
import { canonical, type ActionKind, type PlannedAction } from './classify';
import { newName, oldName, type PlanStep } from './phase-plans';

/** What a rollback needs to know of an action: also what the journal keeps across a restart. */
export interface RestorableAction {
  readonly kind: ActionKind;
  readonly name: string;
  /** The container was RUNNING or PAUSED before the update. */
  readonly wasLive: boolean;
  /** Its restart policy and limits before the update (absent for a create). */
  readonly previous?: { readonly restartPolicy: RestartPolicy; readonly resources: Resources };
}

/** A container as the plan sees it now. */
export interface FoundContainer {
  readonly live: boolean;
  readonly restartPolicy: RestartPolicy;
  readonly resources: Resources;
}

export function restorable(a: PlannedAction): RestorableAction {
  const c = a.current;
  return { kind: a.kind, name: a.name, wasLive: c?.live ?? false, ...(c ? { previous: { restartPolicy: c.config.restartPolicy, resources: c.config.resources } } : {}) };
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

export function restorePlan(actions: readonly RestorableAction[], found: ReadonlyMap<string, FoundContainer>): PlanStep[] {
  const removals: PlanStep[] = [];
  const renames: PlanStep[] = [];
  const settings: PlanStep[] = [];
  const starts: PlanStep[] = [];
  for (const a of actions) {
    const n = a.name;
    const step = (list: PlanStep[], op: PlanStep['op']) => list.push({ action: n, op });
    const swapped = a.kind === 'recreate' && found.has(oldName(n));
    if ((a.kind === 'create' || a.kind === 'recreate') && found.has(newName(n))) step(removals, { op: 'remove', name: newName(n) });
    // After a create, or a recreate's swap, `<name>` is the update's container.
    if ((a.kind === 'create' || swapped) && found.has(n)) step(removals, { op: 'remove', name: n });
    if (swapped) step(renames, { op: 'rename', name: oldName(n), to: n });
    const original = found.get(swapped ? oldName(n) : n);
    if (a.kind === 'create' || original === undefined || a.previous === undefined) continue;
    const change = {
      ...(same(original.restartPolicy, a.previous.restartPolicy) ? {} : { restartPolicy: a.previous.restartPolicy }),
      ...(same(original.resources, a.previous.resources) ? {} : { resources: a.previous.resources }),
    };
    if (Object.keys(change).length > 0) step(settings, { op: 'update', name: n, change });
    if (a.wasLive) step(starts, { op: 'ensure-running', name: n });
  }
  return [...removals, ...renames, ...settings, ...starts];
}
