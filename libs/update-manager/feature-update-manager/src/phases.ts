// The orchestration's rules as data (Kanto update-manager updatem/orchestration/update_orchestrator_apply.go
// and _feedback.go): which command goes to which domains, what each domain reports while and after
// executing it, and which phase follows. Pure; orchestrator.ts drives it.
import type { Command, Status } from '@ledge/shared/model-update';

export type Phase = Command;

export interface PhaseRule {
  /** The domain statuses the command is sent to (Kanto: executeCommand's statuses). */
  readonly from: readonly Status[];
  /** In progress, success, failure: what an agent reports for it. */
  readonly doing: Status;
  readonly success: Status;
  readonly failure: Status;
}

export const PHASE_RULES: Readonly<Record<Phase, PhaseRule>> = Object.freeze({
  DOWNLOAD: { from: ['IDENTIFIED'], doing: 'DOWNLOADING', success: 'DOWNLOAD_SUCCESS', failure: 'DOWNLOAD_FAILURE' },
  UPDATE: { from: ['DOWNLOAD_SUCCESS'], doing: 'UPDATING', success: 'UPDATE_SUCCESS', failure: 'UPDATE_FAILURE' },
  ACTIVATE: { from: ['UPDATE_SUCCESS'], doing: 'ACTIVATING', success: 'ACTIVATION_SUCCESS', failure: 'ACTIVATION_FAILURE' },
  // Kanto rolls back what downloaded or updated when the owner denies; Ledge's rollbackOnFailure also rolls
  // back an activated (or failed activation) domain: Kanto's containers agent accepts ROLLBACK from all four
  // (container-management updateagent/update_operation.go) and brings the previous containers back.
  ROLLBACK: { from: ['DOWNLOAD_SUCCESS', 'UPDATE_SUCCESS', 'ACTIVATION_SUCCESS', 'ACTIVATION_FAILURE'], doing: 'ROLLBACK', success: 'ROLLBACK_SUCCESS', failure: 'ROLLBACK_FAILURE' },
  // Every domain not yet cleaned up gets CLEANUP (Kanto: after ACTIVATION_SUCCESS or ROLLBACK_SUCCESS, and at
  // once after a failure; an agent accepts it in any state).
  CLEANUP: { from: [], doing: 'CLEANUP', success: 'CLEANUP_SUCCESS', failure: 'CLEANUP_FAILURE' },
});

/** A domain is done with the activity: cleaned up, or it had nothing to do (Kanto marks that CLEANUP_SUCCESS). */
export const isFinished = (s: Status): boolean => s === 'CLEANUP_SUCCESS' || s === 'CLEANUP_FAILURE';

/** The command phases in Kanto's order (orderedCommands), ROLLBACK only when the activity is being undone. */
export function nextPhase(after: Phase, undoing: boolean): Phase | undefined {
  if (after === 'CLEANUP') return undefined;
  if (after === 'ROLLBACK') return 'CLEANUP';
  if (undoing) return 'ROLLBACK';
  return after === 'DOWNLOAD' ? 'UPDATE' : after === 'UPDATE' ? 'ACTIVATE' : 'CLEANUP';
}

/** The statuses a domain reports that end it at any point (Kanto handleDomainCompletedEvent / Incomplete). */
export function terminalOutcome(s: Status): 'CLEANUP_SUCCESS' | 'CLEANUP_FAILURE' | undefined {
  if (s === 'COMPLETED') return 'CLEANUP_SUCCESS';
  if (s === 'INCOMPLETE' || s === 'INCOMPLETE_INCONSISTENT') return 'CLEANUP_FAILURE';
  return undefined;
}

/** `10m`, `1m30s`, `250ms`: durations in messages, as the config writes them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${r > 0 || s === 0 ? `${r}s` : ''}`;
}
