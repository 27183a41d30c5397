// The steps of each phase of an update, as data (STYLE.md "Multi-step work is a visible list of steps"):
// which container is created, stopped, renamed, started or removed, in which order. Containers are named,
// not looked up by ID, so a plan reads like the operation and the same plan holds after a restart.
//   DOWNLOAD  pull and create each new container stopped, as `<name>.new`, restart policy `no` (so neither a
//             policy nor a daemon restart starts it before ACTIVATE)
//   UPDATE    stop the originals of recreates and destroys; apply in-place updates
//   ACTIVATE  `<name>` → `<name>.old`, `<name>.new` → `<name>`, its restart policy, start; then the gate
//   CLEANUP   remove the `.old` originals and the destroyed containers
// restorePlan (restore-plan.ts) undoes any prefix of these from what it finds. Pure.
import type { ContainerConfig, UpdateRequest } from '@ledge/container-management/model-containers';
import type { ActionKind, PlannedAction } from './classify';
import { NEW_SUFFIX, OLD_SUFFIX } from './component-config';

export type ContainerOp =
  | { readonly op: 'create'; readonly name: string; readonly config: ContainerConfig }
  | { readonly op: 'stop'; readonly name: string }
  /** `ifPresent`: a container already gone needs no update (parking the policy of one being destroyed). */
  | { readonly op: 'update'; readonly name: string; readonly change: UpdateRequest; readonly ifPresent?: boolean }
  | { readonly op: 'rename'; readonly name: string; readonly to: string }
  /** Starts it when not live, resumes it when paused. */
  | { readonly op: 'ensure-running'; readonly name: string }
  | { readonly op: 'remove'; readonly name: string };

export interface PlanStep {
  /** The action's container name (its feedback entry). */
  readonly action: string;
  readonly op: ContainerOp;
}

export type Phase = 'download' | 'update' | 'activate' | 'cleanup';

/** What the plans read of an action (a journal's actions are enough for the cleanup). */
export type PlanInput = Pick<PlannedAction, 'kind' | 'name' | 'current' | 'desired'>;

export const newName = (name: string) => `${name}${NEW_SUFFIX}`;
export const oldName = (name: string) => `${name}${OLD_SUFFIX}`;

/** `always` is the one policy that starts a user-stopped container when the daemon starts (restart-policy.ts). */
const parkedPolicy = (a: PlanInput): ContainerOp[] => (a.current?.config.restartPolicy.type === 'always' ? [{ op: 'update', name: a.name, change: { restartPolicy: { type: 'no' } }, ifPresent: true }] : []);

const steps = (a: PlanInput, ops: readonly ContainerOp[]): PlanStep[] => ops.map((op) => ({ action: a.name, op }));

function download(a: PlanInput): ContainerOp[] {
  if ((a.kind !== 'create' && a.kind !== 'recreate') || a.desired === undefined) return [];
  return [{ op: 'create', name: newName(a.name), config: { ...a.desired, name: newName(a.name), restartPolicy: { type: 'no' } } }];
}

function update(a: PlanInput): ContainerOp[] {
  switch (a.kind) {
    case 'recreate':
    case 'destroy':
      return [...(a.current?.live ? [{ op: 'stop', name: a.name } as const] : []), ...parkedPolicy(a)];
    case 'update':
      return a.desired ? [{ op: 'update', name: a.name, change: { restartPolicy: a.desired.restartPolicy, resources: a.desired.resources } }] : [];
    default:
      return [];
  }
}

function activate(a: PlanInput): ContainerOp[] {
  const policy = (): ContainerOp[] => (a.desired && a.desired.restartPolicy.type !== 'no' ? [{ op: 'update', name: a.name, change: { restartPolicy: a.desired.restartPolicy } }] : []);
  switch (a.kind) {
    case 'create':
      return [{ op: 'rename', name: newName(a.name), to: a.name }, ...policy(), { op: 'ensure-running', name: a.name }];
    case 'recreate':
      return [{ op: 'rename', name: a.name, to: oldName(a.name) }, { op: 'rename', name: newName(a.name), to: a.name }, ...policy(), { op: 'ensure-running', name: a.name }];
    case 'update':
    case 'keep':
      return [{ op: 'ensure-running', name: a.name }];
    default:
      return [];
  }
}

function cleanup(a: PlanInput): ContainerOp[] {
  if (a.kind === 'recreate') return [{ op: 'remove', name: oldName(a.name) }];
  if (a.kind === 'destroy') return [{ op: 'remove', name: a.name }];
  return [];
}

const BY_PHASE: Readonly<Record<Phase, (a: PlanInput) => ContainerOp[]>> = { download, update, activate, cleanup };

export function phasePlan(phase: Phase, actions: readonly PlanInput[]): PlanStep[] {
  return actions.flatMap((a) => steps(a, BY_PHASE[phase](a)));
}

/** Actions whose containers ACTIVATE must see running and healthy: the new and the changed ones. */
export const GATED: ReadonlySet<ActionKind> = new Set(['create', 'recreate', 'update']);

/** The name a step's feedback shows, e.g. `rename app → app.old`. */
export function describeOp(op: ContainerOp): string {
  return op.op === 'rename' ? `rename ${op.name} → ${op.to}` : `${op.op} ${op.name}`;
}
