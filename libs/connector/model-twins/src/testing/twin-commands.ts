// Twin commands as local apps publish them, for the specs of the local twins and of the cloud mappings.
import assert from 'node:assert/strict';
import type { DittoHeaders } from '@ledge/shared/model-ditto';
import { handleLocalTwinCommand, type LocalCommandOutcome } from '../local-commands';
import type { TwinContext, TwinEnvelope } from '../twin-types';
import type { MemoryTwins } from './memory-twins';

/** `<ns>/<name>/things/twin/commands/<action>` of thing `ns:name` at `path`, one-way unless `headers` say otherwise. */
export function twinCommand(thingId: string, action: string, path: string, value?: unknown, headers: DittoHeaders = { 'response-required': false }): TwinEnvelope {
  const colon = thingId.indexOf(':');
  const topic = `${thingId.slice(0, colon)}/${thingId.slice(colon + 1)}/things/twin/commands/${action}`;
  return { topic, headers, path, ...(value === undefined ? {} : { value }) };
}

export type HandledCommand = Extract<LocalCommandOutcome, { handled: true }>;

/** Handles a command the local twin must handle, and applies its writes to `twins`. */
export function runLocalCommand(twins: MemoryTwins, envelope: TwinEnvelope, ctx: TwinContext): HandledCommand {
  const outcome = handleLocalTwinCommand(twins, envelope, ctx);
  assert.ok(outcome.handled);
  twins.apply(outcome.writes);
  return outcome;
}
