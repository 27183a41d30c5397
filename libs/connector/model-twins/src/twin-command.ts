// What one local twin command is while it is handled, and what its handler decides. The handlers
// (thing-commands, thing-fields-commands, feature-commands) compute; local-commands turns the decision
// into writes, local messages and the forward.
import type { DittoCommandAction, DittoErrorValue, DittoEventAction } from '@ledge/shared/model-ditto';
import { invalidJson } from './twin-errors';
import type { ThingDraft } from './twin-draft';
import type { TwinPath } from '@ledge/shared/model-ditto';
import type { SyncMark, TwinContext, TwinEnvelope } from './twin-types';

export interface TwinCommand {
  readonly envelope: TwinEnvelope;
  readonly action: DittoCommandAction;
  readonly thingId: string;
  readonly path: TwinPath;
  readonly draft: ThingDraft;
  readonly ctx: TwinContext;
}

export type CommandResult =
  /** Not a command the local twin handles (e.g. `create` below `/`): the caller forwards it as before. */
  | { readonly kind: 'unsupported' }
  /** An error answer; `forward` when the cloud may still apply it (a delete of what is not stored locally). */
  | { readonly kind: 'error'; readonly error: DittoErrorValue; readonly forward?: boolean }
  /** A retrieve's answer (200). */
  | { readonly kind: 'value'; readonly value: unknown }
  | {
      readonly kind: 'changed';
      readonly status: 201 | 204;
      readonly event: DittoEventAction;
      readonly revision: number;
      /** The event's value (default: the command's value; none for `deleted`). */
      readonly eventValue?: unknown;
      /** The response's value (Kanto answers a created thing with the thing). */
      readonly responseValue?: unknown;
      /** What the forward of this command, once acknowledged by the cloud, synchronises. */
      readonly marks: readonly SyncMark[];
    };

export type ValueResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly result: CommandResult };

/** The command's value; modify and merge without one are `json.invalid`. */
export function commandValue(cmd: TwinCommand): ValueResult {
  const { value } = cmd.envelope;
  return value === undefined ? { ok: false, result: { kind: 'error', error: invalidJson('the command has no value') } } : { ok: true, value };
}

export function errorResult(error: DittoErrorValue, forward = false): CommandResult {
  return forward ? { kind: 'error', error, forward } : { kind: 'error', error };
}

/**
 * The revision of this command's change: the next one of a live thing; for a thing not stored yet it is
 * auto-provisioned first (Kanto's auto-provisioning; local-commands announces it with a `created` event).
 */
export function changeRevision(draft: ThingDraft): number {
  if (draft.thing() === undefined) draft.provision();
  return draft.bump();
}

/**
 * The mark of a feature a command changed: a command carrying the whole feature synchronises it; a
 * partial one only when the feature was in sync with a cloud that has it (else the sync pushes it whole).
 */
export function featureMarks(cmd: TwinCommand, featureId: string, revision: number, whole: boolean, before: { unsynced?: number; known?: boolean } | undefined): SyncMark[] {
  const inSync = before !== undefined && before.unsynced === undefined && before.known === true;
  return whole || inSync ? [{ kind: 'feature', thingId: cmd.thingId, featureId, revision }] : [];
}
