// One update of the containers domain, from IDENTIFIED to COMPLETED/INCOMPLETE: which command may come
// next (Kanto containerm/updateagent update_operation.go's table, widened so ROLLBACK undoes any point
// reached), what each runs (phases.ts) and the feedback it sends. A command out of order is answered with
// the command's failure status and why, the operation staying where it was. Unlike Kanto, whose CLEANUP
// after a failed phase leaves the half-applied state behind (its TODO), CLEANUP there restores first:
// Kanto's update manager sends CLEANUP, not ROLLBACK, after DOWNLOAD/UPDATE/ACTIVATION_FAILURE.
import type { Action, Command, DesiredStateCommand, DesiredStateFeedback, Status } from '@ledge/shared/model-update';
import type { Logger } from '@ledge/shared/util';
import type { ContainerManager } from '../manager';
import { updateCommandRefusedError } from '../errors';
import type { ActivationGate } from './activation-gate';
import type { PlannedAction } from './classify';
import type { JournalStore } from './journal';
import { runActivate, runCleanup, runPhase, runRestore, type ActionState, type PhaseContext } from './phases';
import { restorable } from './restore-plan';

export type OperationStatus =
  | 'IDENTIFIED' | 'DOWNLOAD_SUCCESS' | 'DOWNLOAD_FAILURE' | 'UPDATE_SUCCESS' | 'UPDATE_FAILURE'
  | 'ACTIVATION_SUCCESS' | 'ACTIVATION_FAILURE' | 'ROLLBACK_SUCCESS' | 'ROLLBACK_FAILURE';

/** The statuses after which each command may come; CLEANUP may come at any time (it ends the operation). */
const AFTER: Readonly<Record<Exclude<Command, 'CLEANUP'>, readonly OperationStatus[]>> = {
  DOWNLOAD: ['IDENTIFIED'],
  UPDATE: ['DOWNLOAD_SUCCESS'],
  ACTIVATE: ['UPDATE_SUCCESS'],
  ROLLBACK: ['IDENTIFIED', 'DOWNLOAD_SUCCESS', 'DOWNLOAD_FAILURE', 'UPDATE_SUCCESS', 'UPDATE_FAILURE', 'ACTIVATION_SUCCESS', 'ACTIVATION_FAILURE', 'ROLLBACK_FAILURE'],
};

export const FAILURE_OF: Readonly<Record<Command, Status>> = { DOWNLOAD: 'DOWNLOAD_FAILURE', UPDATE: 'UPDATE_FAILURE', ACTIVATE: 'ACTIVATION_FAILURE', ROLLBACK: 'ROLLBACK_FAILURE', CLEANUP: 'CLEANUP_FAILURE' };

export interface OperationDeps {
  readonly manager: ContainerManager;
  readonly log: Logger;
  readonly gate: ActivationGate;
  readonly activationTimeoutMs: number;
  readonly journal: JournalStore;
  /** Publishes feedback of this operation's activity. */
  send(feedback: DesiredStateFeedback): Promise<void>;
}

export interface Operation {
  readonly activityId: string;
  readonly status: OperationStatus;
  /** CLEANUP ran (or a newer desired state ended it): the agent forgets it. */
  readonly done: boolean;
  readonly actions: readonly ActionState[];
  report(status: Status, message?: string, baseline?: string): Promise<void>;
  command(command: DesiredStateCommand): Promise<void>;
  /** A newer desired state: keep an activated update (its cleanup), restore any other, report the end. */
  supersede(byActivityId: string): Promise<void>;
}

const toAction = (a: ActionState): Action => ({ component: a.plan.component, status: a.status, message: a.message, ...(a.progress !== undefined ? { progress: a.progress } : {}) });

export function createOperation(activityId: string, planned: readonly PlannedAction[], deps: OperationDeps): Operation {
  const actions: ActionState[] = planned.map((plan) => ({ plan, status: 'IDENTIFIED', message: plan.message }));
  const restorables = planned.map(restorable);
  const log = deps.log.child({ activityId });
  let status: OperationStatus = 'IDENTIFIED';
  let done = false;

  const report = (s: Status, message?: string, baseline?: string) =>
    deps.send({ status: s, ...(baseline ? { baseline } : {}), ...(message ? { message } : {}), actions: actions.map(toAction) });
  const ctx: PhaseContext = { manager: deps.manager, log, actions, report: (s, m) => report(s, m) };

  /** Runs a phase and reports its end; `ok`/`failed` are the operation's next status. */
  const phase = async (run: () => Promise<string | undefined>, ok: OperationStatus, failed: OperationStatus) => {
    const problem = await run();
    status = problem === undefined ? ok : failed;
    log.info({ status, problem }, 'update phase ended');
    await report(status, problem);
  };

  const finish = async (cleanupProblem: string | undefined, activated: boolean, note?: string) => {
    done = true;
    await deps.journal.clear().catch((err: unknown) => log.error({ err }, 'cannot remove the update journal'));
    await report(cleanupProblem === undefined ? 'CLEANUP_SUCCESS' : 'CLEANUP_FAILURE', cleanupProblem);
    const complete = activated && cleanupProblem === undefined;
    log.info({ complete }, 'update ended');
    await report(complete ? 'COMPLETED' : 'INCOMPLETE', note ?? (complete ? undefined : (cleanupProblem ?? `ended at ${status}`)));
  };

  const cleanup = async (note?: string) => {
    await report('CLEANUP');
    if (status === 'ACTIVATION_SUCCESS') return finish(await runCleanup(ctx), true, note);
    // A failed or half-run update: back to the previous state before the operation ends.
    const problem = status === 'IDENTIFIED' || status === 'ROLLBACK_SUCCESS' ? undefined : await runRestore(ctx, restorables);
    return finish(problem, false, note);
  };

  const commands: Readonly<Record<Command, () => Promise<void>>> = {
    async DOWNLOAD() {
      try {
        await deps.journal.save({ activityId, activated: false, actions: restorables });
      } catch (err) {
        log.error({ err }, 'cannot write the update journal');
        status = 'DOWNLOAD_FAILURE';
        return report(status, `nothing changed: cannot write the update journal (${err instanceof Error ? err.message : String(err)})`);
      }
      return phase(() => runPhase(ctx, 'download'), 'DOWNLOAD_SUCCESS', 'DOWNLOAD_FAILURE');
    },
    UPDATE: () => phase(() => runPhase(ctx, 'update'), 'UPDATE_SUCCESS', 'UPDATE_FAILURE'),
    async ACTIVATE() {
      await phase(() => runActivate(ctx, deps.gate, deps.activationTimeoutMs), 'ACTIVATION_SUCCESS', 'ACTIVATION_FAILURE');
      if (status === 'ACTIVATION_SUCCESS') await deps.journal.save({ activityId, activated: true, actions: restorables }).catch((err: unknown) => log.error({ err }, 'cannot write the update journal'));
    },
    async ROLLBACK() {
      // From here a restart restores, even after a successful activation.
      if (status === 'ACTIVATION_SUCCESS') await deps.journal.save({ activityId, activated: false, actions: restorables }).catch((err: unknown) => log.error({ err }, 'cannot write the update journal'));
      await report('ROLLBACK');
      return phase(() => runRestore(ctx, restorables), 'ROLLBACK_SUCCESS', 'ROLLBACK_FAILURE');
    },
    CLEANUP: () => cleanup(),
  };

  return {
    activityId,
    actions,
    get status() {
      return status;
    },
    get done() {
      return done;
    },
    report,
    async command({ command, baseline }) {
      const refuse = (why: string) => {
        log.warn({ err: updateCommandRefusedError(command, activityId, why) }, 'update command refused');
        return report(FAILURE_OF[command], why, baseline);
      };
      if (done) return refuse('the operation has ended');
      // Kanto's agent also takes baseline titles; this one applies the domain as a whole (issue 18).
      if (baseline !== undefined && baseline !== '*') return refuse(`baseline '${baseline}': this agent applies the whole domain; send the command without a baseline`);
      if (command !== 'CLEANUP' && !AFTER[command].includes(status)) return refuse(`${command} is possible only after ${AFTER[command].join('|')} (the operation is at ${status})`);
      log.info({ command, from: status }, 'update command');
      await commands[command]();
    },
    async supersede(by) {
      if (done) return;
      log.info({ supersededBy: by, status }, 'update superseded by a newer desired state');
      await cleanup(status === 'ACTIVATION_SUCCESS' ? `superseded by activity ${by}: the activated update is kept` : `superseded by activity ${by}: the previous state is restored`);
    },
  };
}
