// Multi-step container operations as a visible list of steps (STYLE.md "Composition"): acquire → commit →
// release. Each step may name an undo; when a step fails, the steps done so far are undone in reverse
// order and the step's error is rethrown. An undo that fails is logged with the step's name, never
// swallowed, and the remaining undos still run. Release steps run after the commit (the last step):
// they free what the old state held, and a failure there is logged while the operation stands.
import type { Logger } from '@ledge/shared/util';

export interface Step {
  /** Shown in logs, e.g. 'pull image', 'create replacement'. */
  name: string;
  /** Omitted for a step done synchronously before the plan ran (a name reserved at call time). */
  run?: () => Promise<void> | void;
  /** Reverts run() when a later step fails. */
  undo?: () => Promise<void> | void;
}

export interface Plan {
  /** What the plan is for, logged with every failure (e.g. 'recreate'). */
  op: string;
  /** The container the plan works on. */
  containerId: string;
  /** Acquire steps and, last, the commit. */
  steps: readonly Step[];
  /** After the commit: let go of what the old state held. Failures are logged, not thrown. */
  release?: readonly Step[];
}

export async function runPlan(plan: Plan, log: Logger): Promise<void> {
  const fields = { op: plan.op, containerId: plan.containerId };
  const done: Step[] = [];
  for (const step of plan.steps) {
    try {
      await step.run?.();
    } catch (err) {
      log.warn({ ...fields, step: step.name, err }, 'container operation step failed');
      await undo(done, fields, log);
      throw err;
    }
    done.push(step);
  }
  for (const step of plan.release ?? []) {
    try {
      await step.run?.();
    } catch (err) {
      log.error({ ...fields, step: step.name, err }, 'releasing after a container operation failed');
    }
  }
}

async function undo(done: readonly Step[], fields: Record<string, string>, log: Logger): Promise<void> {
  for (const step of [...done].reverse()) {
    if (step.undo === undefined) continue;
    try {
      await step.undo();
    } catch (err) {
      log.error({ ...fields, step: step.name, err }, 'undoing a container operation step failed');
    }
  }
}
