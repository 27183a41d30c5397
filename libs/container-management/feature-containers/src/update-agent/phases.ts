// Running the phases of one update: each phase is its plan (phase-plans.ts) run step by step, the action
// of each step reported as it goes (Kanto's action statuses: DOWNLOADING → DOWNLOAD_SUCCESS, UPDATING →
// UPDATE_SUCCESS, ACTIVATING → ACTIVATION_SUCCESS, REMOVING → REMOVAL_SUCCESS). A failed step ends the
// phase where it is: what was done stays for ROLLBACK (or CLEANUP) to undo, which restore-plan.ts works
// out from the containers it finds. Every failure names the container and the step.
import type { ActionStatus, Status } from '@ledge/shared/model-update';
import type { LedgeError, Logger } from '@ledge/shared/util';
import type { ContainerManager } from '../manager';
import { updateRollbackError } from '../errors';
import type { ActivationGate } from './activation-gate';
import type { PlannedAction } from './classify';
import { describeOp, GATED, phasePlan, type Phase, type PlanStep } from './phase-plans';
import { restorePlan, type FoundContainer, type RestorableAction } from './restore-plan';
import { runOp } from './run-op';

export interface ActionState {
  readonly plan: PlannedAction;
  status: ActionStatus;
  message: string;
  progress?: number;
}

export interface PhaseContext {
  readonly manager: ContainerManager;
  readonly log: Logger;
  readonly actions: readonly ActionState[];
  /** Sends the operation's feedback with every action's state. */
  report(status: Status, message?: string): Promise<void>;
}

interface PhaseStatuses {
  readonly running: Status;
  readonly busy: (a: PlannedAction) => ActionStatus;
  readonly done: (a: PlannedAction) => ActionStatus;
  readonly failed: (a: PlannedAction) => ActionStatus;
  readonly doneMessage: (a: PlannedAction) => string;
}

const removing = (a: PlannedAction) => a.kind === 'destroy';

export const PHASES: Readonly<Record<'download' | 'update', PhaseStatuses>> = {
  download: { running: 'DOWNLOADING', busy: () => 'DOWNLOADING', done: () => 'DOWNLOAD_SUCCESS', failed: () => 'DOWNLOAD_FAILURE', doneMessage: () => 'Image pulled; the new container is created, not started.' },
  update: {
    running: 'UPDATING',
    busy: (a) => (removing(a) ? 'REMOVING' : 'UPDATING'),
    // A destroyed container is only stopped here: it is removed at CLEANUP, so a rollback can start it again.
    done: (a) => (removing(a) ? 'REMOVING' : 'UPDATE_SUCCESS'),
    failed: (a) => (removing(a) ? 'REMOVAL_FAILURE' : 'UPDATE_FAILURE'),
    doneMessage: (a) => (a.kind === 'update' ? 'Restart policy and memory limits updated in place.' : a.kind === 'destroy' ? 'Stopped; removed at cleanup.' : 'The original is stopped.'),
  },
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Steps grouped by action, in plan order. */
function byAction(steps: readonly PlanStep[]): Map<string, PlanStep[]> {
  const out = new Map<string, PlanStep[]>();
  for (const s of steps) out.set(s.action, [...(out.get(s.action) ?? []), s]);
  return out;
}

/** Runs `phase`'s steps for each action in turn; the failure message, or undefined when all passed. */
async function runSteps(ctx: PhaseContext, phase: Phase, s: PhaseStatuses): Promise<string | undefined> {
  for (const [name, steps] of byAction(phasePlan(phase, ctx.actions.map((a) => a.plan)))) {
    const a = ctx.actions.find((x) => x.plan.name === name)!;
    Object.assign(a, { status: s.busy(a.plan), message: steps.map((x) => describeOp(x.op)).join(', '), progress: 0 });
    await ctx.report(s.running);
    for (const step of steps) {
      try {
        await runOp(ctx.manager, step.op);
      } catch (err) {
        ctx.log.warn({ err, phase, container: name, step: describeOp(step.op) }, 'update step failed');
        Object.assign(a, { status: s.failed(a.plan), message: `${describeOp(step.op)} failed: ${messageOf(err)}` });
        return `${name}: ${a.message}`;
      }
    }
    Object.assign(a, { status: s.done(a.plan), message: s.doneMessage(a.plan), progress: 100 });
  }
  return undefined;
}

export function runPhase(ctx: PhaseContext, phase: 'download' | 'update'): Promise<string | undefined> {
  return runSteps(ctx, phase, PHASES[phase]);
}

/** Swaps and starts, then the gate for every new or changed container at once (one deadline for all). */
export async function runActivate(ctx: PhaseContext, gate: ActivationGate, deadlineMs: number): Promise<string | undefined> {
  const s: PhaseStatuses = { running: 'ACTIVATING', busy: () => 'ACTIVATING', done: () => 'ACTIVATING', failed: () => 'ACTIVATION_FAILURE', doneMessage: () => 'Started; waiting for it to run and be healthy.' };
  const failed = await runSteps(ctx, 'activate', s);
  if (failed !== undefined) return failed;
  const results = await Promise.all(
    ctx.actions
      .filter((a) => a.plan.kind !== 'destroy')
      .map(async (a) => {
        const r = ctx.manager.findByName(a.plan.name);
        try {
          if (GATED.has(a.plan.kind) && r !== undefined) await gate(r, { deadlineMs });
          Object.assign(a, { status: 'ACTIVATION_SUCCESS', message: GATED.has(a.plan.kind) ? 'Running and healthy.' : 'Unchanged and running.', progress: 100 });
          return undefined;
        } catch (err) {
          Object.assign(a, { status: 'ACTIVATION_FAILURE', message: messageOf(err) });
          return `${a.plan.name}: ${messageOf(err)}`;
        }
      }),
  );
  const problems = results.filter((x): x is string => x !== undefined);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Removes the originals and the destroyed containers; every removal is tried. */
export async function runCleanup(ctx: PhaseContext): Promise<string | undefined> {
  const problems: string[] = [];
  for (const step of phasePlan('cleanup', ctx.actions.map((a) => a.plan))) {
    const a = ctx.actions.find((x) => x.plan.name === step.action)!;
    try {
      await runOp(ctx.manager, step.op);
      if (a.plan.kind === 'destroy') Object.assign(a, { status: 'REMOVAL_SUCCESS', message: 'Removed.', progress: 100 });
    } catch (err) {
      ctx.log.error({ err, container: step.action, step: describeOp(step.op) }, 'update cleanup step failed');
      problems.push(`${step.action}: ${describeOp(step.op)} failed: ${messageOf(err)}`);
      if (a.plan.kind === 'destroy') Object.assign(a, { status: 'REMOVAL_FAILURE', message: `${describeOp(step.op)} failed: ${messageOf(err)}` });
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The manager's containers by name, as the restore plan sees them. */
export function foundContainers(manager: ContainerManager): Map<string, FoundContainer> {
  return new Map(manager.list().map((r) => [r.config.name, { live: r.state.status === 'RUNNING' || r.state.status === 'PAUSED', restartPolicy: r.config.restartPolicy, resources: r.config.resources }]));
}

/** Back to the state before the update; every step is tried, the failures are returned (and logged). */
export async function restore(manager: ContainerManager, actions: readonly RestorableAction[], log: Logger): Promise<LedgeError[]> {
  const failures: LedgeError[] = [];
  for (const step of restorePlan(actions, foundContainers(manager))) {
    try {
      await runOp(manager, step.op);
      log.debug({ container: step.action, step: describeOp(step.op) }, 'update restore step done');
    } catch (err) {
      const e = updateRollbackError(step.action, describeOp(step.op), err);
      log.error({ err: e }, 'update restore step failed');
      failures.push(e);
    }
  }
  return failures;
}

/** ROLLBACK's or a failed update's CLEANUP: restore, and mark what the update did not apply. */
export async function runRestore(ctx: PhaseContext, actions: readonly RestorableAction[]): Promise<string | undefined> {
  const failures = await restore(ctx.manager, actions, ctx.log);
  for (const a of ctx.actions) {
    if (a.plan.kind === 'keep') continue;
    const failure = failures.find((f) => f.details?.['name'] === a.plan.name);
    Object.assign(a, { status: 'UPDATE_FAILURE', message: failure ? failure.message : 'Not applied: the previous state is restored.' });
  }
  return failures.length > 0 ? failures.map((f) => f.message).join('; ') : undefined;
}
