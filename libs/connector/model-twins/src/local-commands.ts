// A twin command a local app published (on `e`/`event`) applied to the local twin: Kanto's
// local-digital-twins command handling as a pure function. Steps: recognise the command (else the
// caller forwards it as before) → parse the path → let the scope's handler decide → turn the decision
// into store writes, the local answer and events, and the command to forward to the cloud.
import { DittoHeaderNames, isResponseRequired, parseDittoTopic, DITTO_PLACEHOLDER, type DittoCommandAction } from '@ledge/shared/model-ditto';
import { featureCommand } from './feature-commands';
import { rootCommand, featuresCommand, searchCommand } from './thing-commands';
import { thingFieldsCommand } from './thing-fields-commands';
import type { CommandResult, TwinCommand } from './twin-command';
import { createThingDraft } from './twin-draft';
import { twinError, TwinErrorCodes } from './twin-errors';
import {
  ERRORS_RESPONSE,
  withHeader,
  isOwnThing,
  localEventTopic,
  localResponseTopic,
  twinErrorResponse,
  twinEvent,
  twinResponse,
  uplinkTopic,
} from './twin-messages';
import { parseTwinPath } from '@ledge/shared/model-ditto';
import type { TwinContext, TwinEnvelope, TwinMessage, TwinRead, TwinUplink, TwinWrite } from './twin-types';

export type LocalCommandOutcome =
  | { readonly handled: false }
  | {
      readonly handled: true;
      /** Apply before publishing anything (durable first). */
      readonly writes: readonly TwinWrite[];
      /** Responses and events, in order, for the local bus. */
      readonly local: readonly TwinMessage[];
      /** The command for the cloud (when online), with the marks its acknowledgement sets. */
      readonly forward?: TwinUplink;
    };

const NOT_HANDLED: LocalCommandOutcome = Object.freeze({ handled: false });

export function handleLocalTwinCommand(read: TwinRead, envelope: TwinEnvelope, ctx: TwinContext): LocalCommandOutcome {
  if (envelope.status !== undefined) return NOT_HANDLED;
  const parsed = parseDittoTopic(envelope.topic);
  if (!parsed.ok) return NOT_HANDLED;
  const topic = parsed.topic;
  if (topic.channel !== 'twin' || topic.criterion !== 'commands') return NOT_HANDLED;
  const thingId = `${topic.namespace}:${topic.name}`;
  const respond = isResponseRequired(envelope.headers);

  if (topic.namespace === DITTO_PLACEHOLDER && topic.name === DITTO_PLACEHOLDER) {
    if (topic.action !== 'retrieve') return NOT_HANDLED;
    return finish(ctx, envelope, { thingId, action: topic.action, respond }, searchCommand(read, envelope), undefined);
  }
  if (!isOwnThing(ctx, thingId)) return NOT_HANDLED;

  const path = parseTwinPath(envelope.path);
  if (!path.ok) {
    const error = twinError(TwinErrorCodes.pointerInvalid, `The path of the command is invalid: ${path.problems.join('; ')}.`);
    return finish(ctx, envelope, { thingId, action: topic.action, respond }, { kind: 'error', error }, undefined);
  }
  const timestamp = new Date(ctx.now()).toISOString();
  const draft = createThingDraft(read, thingId, () => timestamp);
  const known = draft.thing() !== undefined;
  const cmd: TwinCommand = { envelope, action: topic.action, thingId, path: path.path, draft, ctx };
  const result = dispatch(cmd);
  if (result.kind === 'unsupported') return NOT_HANDLED;

  const write = draft.write();
  const local: TwinMessage[] = [];
  // Kanto's auto-provisioning: a command for a thing not stored yet creates it, announced first.
  const created = draft.thing();
  if (!known && created !== undefined && path.path.scope !== 'thing') {
    const event = twinEvent({ thingId, action: 'created', path: '/', value: { thingId }, revision: created.revision - 1, timestamp, headers: envelope.headers });
    local.push({ topic: localEventTopic(ctx, thingId, 'created'), envelope: event });
  }
  const outcome = finish(ctx, envelope, { thingId, action: topic.action, respond }, result, timestamp);
  if (!outcome.handled) return outcome;
  return { ...outcome, writes: write === undefined ? [] : [write], local: [...local, ...outcome.local] };
}

function dispatch(cmd: TwinCommand): CommandResult {
  const { path } = cmd;
  switch (path.scope) {
    case 'thing':
      return rootCommand(cmd);
    case 'features':
      return featuresCommand(cmd);
    case 'attributes':
    case 'definition':
    case 'policyId':
      return thingFieldsCommand(cmd, path);
    case 'feature':
    case 'featureDefinition':
    case 'properties':
    case 'desiredProperties':
      return featureCommand(cmd, path);
  }
}

/** The answer, the event and the forward of a decided command (no writes: the caller adds them). */
function finish(
  ctx: TwinContext,
  envelope: TwinEnvelope,
  { thingId, action: actionName, respond }: { thingId: string; action: DittoCommandAction; respond: boolean },
  result: CommandResult,
  timestamp: string | undefined,
): LocalCommandOutcome {
  const local: TwinMessage[] = [];
  switch (result.kind) {
    case 'unsupported':
      return NOT_HANDLED;
    case 'error':
      if (respond) local.push({ topic: localResponseTopic(ctx, thingId, ERRORS_RESPONSE), envelope: twinErrorResponse(envelope, thingId, result.error) });
      return { handled: true, writes: [], local, ...(result.forward === true ? { forward: forwardOf(ctx, envelope, thingId, []) } : {}) };
    case 'value':
      if (respond) local.push({ topic: localResponseTopic(ctx, thingId, actionName), envelope: twinResponse(envelope, 200, result.value) });
      return { handled: true, writes: [], local };
    case 'changed': {
      if (respond) local.push({ topic: localResponseTopic(ctx, thingId, actionName), envelope: twinResponse(envelope, result.status, result.responseValue) });
      const value = result.event === 'deleted' ? undefined : 'eventValue' in result ? result.eventValue : envelope.value;
      const event = twinEvent({ thingId, action: result.event, path: envelope.path, value, revision: result.revision, timestamp: timestamp ?? new Date(ctx.now()).toISOString(), headers: envelope.headers });
      local.push({ topic: localEventTopic(ctx, thingId, result.event), envelope: event });
      return { handled: true, writes: [], local, forward: forwardOf(ctx, envelope, thingId, result.marks) };
    }
  }
}

/** The original command, one-way, on the local-style uplink topic (retrieves are never forwarded). */
function forwardOf(ctx: TwinContext, envelope: TwinEnvelope, thingId: string, marks: TwinUplink['marks']): TwinUplink {
  const { topic, headers, path, value } = envelope;
  const forwarded: TwinEnvelope = { topic, headers: withHeader(headers, DittoHeaderNames.responseRequired, false), path, ...(value === undefined ? {} : { value }) };
  return { topic: uplinkTopic(ctx, thingId), envelope: forwarded, marks };
}
