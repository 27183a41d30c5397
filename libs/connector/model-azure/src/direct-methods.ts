// IoT Hub direct methods ↔ local Ditto live-message commands (Ledge's mapping; Kanto's azure-connector
// has none). `$iothub/methods/POST/<method>/?$rid=<rid>` goes down as a command with Hono request ID
// `azure-method-<rid>`, so the answer the local app publishes on `command//<device>/res/<request ID>/<status>`
// names the `$rid` to answer on `$iothub/methods/res/<status>/?$rid=<rid>`: nothing to remember.
// * The payload is a Ditto envelope (`topic` and `path`): it is the command, for the gateway or a
//   `<deviceId>:` child; a correlation-id is added when it has none.
// * Otherwise the method name is `<FeatureId>.<subject>` (split at the last '.') and addresses a feature
//   of the gateway thing: the payload is the `value` of a live message `<ns>/<name>/things/live/messages/<subject>`
//   with path `/features/<FeatureId>/inbox/messages/<subject>`.
// What cannot be mapped is dropped with a reason; IoT Hub then answers the caller with a timeout.
import { buildDittoTopic, featureMessagePath, parseDittoTopic, parseEnvelope, parseThingId, getCorrelationId, isValidFeatureId } from '@ledge/shared/model-ditto';
import type { DittoEnvelope } from '@ledge/shared/model-ditto';
import { buildCommandRequestTopics, topicNameProblem } from '@ledge/shared/model-hono';
import { decodeJsonInput, isPlainObject } from '@ledge/shared/util-parse';
import type { Mapped, QoS } from '@ledge/connector/model-connector';
import { defaultParseEnvelopeOptions } from '@ledge/shared/model-ditto';
import { SAFE_REQUEST_ID, methodResponseTopic } from './azure-topics';

/** Prefix of the Hono request ID of a direct method's local command: `azure-method-<rid>`. */
export const METHOD_REQUEST_ID_PREFIX = 'azure-method-';
/** IoT Hub's limit on a direct-method request or response body (Azure "Understand and invoke direct methods"). */
export const MAX_METHOD_PAYLOAD_BYTES = 128 * 1024;

export interface MethodContext {
  /** The gateway's thing ID (`ns:name`). */
  readonly deviceId: string;
  /** Device level of commands for the gateway itself: its thing ID, or empty (`command///req/…`). */
  readonly gatewayCommandDevice: 'thing-id' | 'empty';
  /** The `timeout` header of built commands ('' = none); IoT Hub does not tell the device the caller's. */
  readonly timeout: string;
  readonly qos: QoS;
}

export function methodRequestId(rid: string): string {
  return `${METHOD_REQUEST_ID_PREFIX}${rid}`;
}

/** The `$rid` a local command response answers, when its request ID is a direct method's. */
export function methodRidOf(requestId: string): string | undefined {
  if (!requestId.startsWith(METHOD_REQUEST_ID_PREFIX)) return undefined;
  const rid = requestId.slice(METHOD_REQUEST_ID_PREFIX.length);
  return SAFE_REQUEST_ID.test(rid) ? rid : undefined;
}

/** A direct method → the local command in long and short form. */
export function methodToLocal(method: string, rid: string, payload: Buffer, ctx: MethodContext): Mapped {
  const requestId = methodRequestId(rid);
  const decoded = payload.length === 0 ? { ok: true as const, value: null } : decodeJsonInput(payload, { ...defaultParseEnvelopeOptions, maxBytes: MAX_METHOD_PAYLOAD_BYTES });
  if (!decoded.ok) return { ok: false, drop: `direct method "${method.slice(0, 100)}": payload is not JSON: ${decoded.problems.join('; ')}` };
  const value = decoded.value;
  const built = isPlainObject(value) && typeof value['topic'] === 'string' && typeof value['path'] === 'string'
    ? fromEnvelope(value, requestId, ctx)
    : fromMethodName(method, value, requestId, ctx);
  if (typeof built === 'string') return { ok: false, drop: `direct method "${method.slice(0, 100)}": ${built}` };

  const device = built.thingId === ctx.deviceId && ctx.gatewayCommandDevice === 'empty' ? '' : built.thingId;
  const { long, short } = buildCommandRequestTopics({ deviceId: device, requestId, command: built.command });
  for (const topic of [long, short]) {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return { ok: false, drop: problem };
  }
  const body = Buffer.from(JSON.stringify(built.envelope));
  return { ok: true, messages: [long, short].map((topic) => ({ topic, payload: body, qos: ctx.qos })) };
}

type Built = { readonly thingId: string; readonly command: string; readonly envelope: DittoEnvelope };

function fromEnvelope(value: Record<string, unknown>, requestId: string, ctx: MethodContext): Built | string {
  const parsed = parseEnvelope(value);
  if (!parsed.ok) return `payload is not a Ditto envelope: ${parsed.problems.join('; ')}`;
  const ditto = parseDittoTopic(parsed.envelope.topic);
  if (!ditto.ok) return `envelope topic: ${ditto.problems.join('; ')}`;
  const t = ditto.topic;
  const thingId = `${t.namespace}:${t.name}`;
  if (thingId !== ctx.deviceId && !thingId.startsWith(`${ctx.deviceId}:`)) return `envelope for "${thingId}" is not addressed to "${ctx.deviceId}" or its children`;
  const command = t.criterion === 'messages' ? t.subject : t.criterion === 'errors' ? 'errors' : t.action;
  // The bridge lets the answer go up only for a correlation-id it saw going down (§2.1.5).
  const envelope = getCorrelationId(parsed.envelope.headers) === undefined
    ? { ...parsed.envelope, headers: { ...parsed.envelope.headers, 'correlation-id': requestId } }
    : parsed.envelope;
  return { thingId, command, envelope };
}

function fromMethodName(method: string, value: unknown, requestId: string, ctx: MethodContext): Built | string {
  const dot = method.lastIndexOf('.');
  const featureId = dot < 0 ? '' : method.slice(0, dot);
  const subject = method.slice(dot + 1);
  if (dot < 0 || !isValidFeatureId(featureId) || subject === '') return 'the method name is not <FeatureId>.<subject> and the payload is no Ditto envelope';
  const thing = parseThingId(ctx.deviceId);
  if (!thing.ok) return `device ID: ${thing.problems.join('; ')}`;
  const topic = buildDittoTopic({ ...thing.thingId, group: 'things', channel: 'live', criterion: 'messages', subject });
  if (!parseDittoTopic(topic).ok) return `subject "${subject.slice(0, 100)}" cannot be a Ditto message subject`;
  const headers = {
    'correlation-id': requestId,
    'response-required': true,
    'content-type': 'application/json',
    ...(ctx.timeout === '' ? {} : { timeout: ctx.timeout }),
  };
  return { thingId: ctx.deviceId, command: subject, envelope: { topic, headers, path: featureMessagePath(featureId, 'inbox', subject), value } };
}

/** A local app's answer → `$iothub/methods/res/<status>/?$rid=<rid>` with the envelope's value (JSON `null` when none). */
export function methodResponseToCloud(rid: string, status: number, payload: Buffer, qos: QoS): Mapped {
  const parsed = parseEnvelope(payload, { maxBytes: MAX_METHOD_PAYLOAD_BYTES * 2 });
  let body: Buffer;
  if (parsed.ok) body = Buffer.from(JSON.stringify(parsed.envelope.value === undefined ? null : parsed.envelope.value));
  else {
    // Not an envelope: an answer that is JSON already goes as it is.
    const json = decodeJsonInput(payload, { ...defaultParseEnvelopeOptions, maxBytes: MAX_METHOD_PAYLOAD_BYTES });
    if (!json.ok) return { ok: false, drop: `direct-method response is neither a Ditto envelope nor JSON: ${json.problems.join('; ')}` };
    body = payload;
  }
  if (body.length > MAX_METHOD_PAYLOAD_BYTES) return { ok: false, drop: `direct-method response of ${body.length} bytes exceeds IoT Hub's ${MAX_METHOD_PAYLOAD_BYTES}-byte limit` };
  return { ok: true, messages: [{ topic: methodResponseTopic(status, rid), payload: body, qos }] };
}
