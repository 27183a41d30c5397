// The manager's feedback carries the actions of every domain (Kanto update_orchestrator_feedback.go
// toActionsList). Kanto rewrites the activation statuses of actions to the update ones on the way out
// (api/util FixActivationActionStatus: ACTIVATING → UPDATING, ACTIVATION_SUCCESS → UPDATE_SUCCESS,
// ACTIVATION_FAILURE → UPDATE_FAILURE) and INCOMPLETE_INCONSISTENT to INCOMPLETE; Kanto backends read
// exactly that, so Ledge does the same. Component ids are passed through as the agents send them: Kanto's
// agents already prefix them with their domain (`containers:hello`).
import type { Action, ActionStatus, Status } from '@ledge/shared/model-update';

const OUTBOUND: Partial<Record<ActionStatus, ActionStatus>> = {
  ACTIVATING: 'UPDATING',
  ACTIVATION_SUCCESS: 'UPDATE_SUCCESS',
  ACTIVATION_FAILURE: 'UPDATE_FAILURE',
};

export function reportedAction(a: Action): Action {
  const status = OUTBOUND[a.status];
  return status === undefined ? a : { ...a, status };
}

export function reportedStatus(s: Status): Status {
  return s === 'INCOMPLETE_INCONSISTENT' ? 'INCOMPLETE' : s;
}

/** Every domain's actions, in domain order, each domain's in the order its components first appeared. */
export function reportedActions(byDomain: Iterable<readonly [string, ReadonlyMap<string, Action>]>): Action[] {
  const out: Action[] = [];
  for (const [, actions] of byDomain) for (const a of actions.values()) out.push(reportedAction(a));
  return out;
}
