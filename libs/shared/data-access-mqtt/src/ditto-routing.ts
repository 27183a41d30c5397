// Pure translation between the local bus and a feature app's Ditto view (§1.1, §3.1): which command
// topics a thing listens on, what an incoming command message means, where responses and events go.
// No I/O; ditto-agent.ts does the publishing.
import {
  buildResponse,
  createDittoError,
  defaultParseEnvelopeOptions,
  DittoErrorCodes,
  getCorrelationId,
  isResponseRequired,
  parseDittoTopic,
  parseEnvelope,
  parseFeatureMessagePath,
  parseFeaturePath,
  peekEnvelopeAddress,
  type DittoEnvelope,
  type DittoErrorCode,
} from '@ledge/shared/model-ditto';
import { buildCommandResponseTopic, buildEventTopic, parseHonoTopic } from '@ledge/shared/model-hono';
import { createHash } from 'node:crypto';
import type { ErrorKind } from '@ledge/shared/util';
import { decodeJsonInput, isPlainObject } from '@ledge/shared/util-parse';

/** The thing a feature app serves: the gateway itself (suffix '') or e.g. `<dev>:edge:containers`. */
export interface AgentAddress {
  /** The full thing ID, `<deviceId><suffix>`. */
  readonly thingId: string;
  readonly tenantId: string;
  /** True for the gateway's own thing: commands arrive with an empty device level. */
  readonly gateway: boolean;
}

export function agentAddress(deviceId: string, tenantId: string, thingSuffix: string): AgentAddress {
  return { thingId: `${deviceId}${thingSuffix}`, tenantId, gateway: thingSuffix === '' };
}

/** Both local forms (the connector forwards each command on both; §1.1). */
export function commandFilters(address: AgentAddress): string[] {
  const device = address.gateway ? '' : address.thingId;
  return [`command//${device}/req/#`, `c//${device}/q/#`];
}

/** Long-form response topic; the device level is empty for the gateway's own thing. */
export function responseTopic(address: AgentAddress, requestId: string, status: number): string {
  return buildCommandResponseTopic({ deviceId: address.gateway ? '' : address.thingId, requestId, status });
}

/** Long-form event topic: bare `event` for the gateway, `event/<tenant>/<thingId>` otherwise. */
export function eventTopic(address: AgentAddress): string {
  return address.gateway ? buildEventTopic() : buildEventTopic({ tenantId: address.tenantId, deviceId: address.thingId });
}

export type InboundCommand =
  /** A feature inbox message addressed to this thing. */
  | {
      readonly kind: 'message';
      readonly requestId: string;
      readonly envelope: DittoEnvelope;
      readonly featureId: string;
      readonly operation: string;
      readonly respond: boolean;
    }
  /**
   * Not for us: another thing, a feature this app does not serve (another app on the same thing answers
   * it), not a feature message (twin commands, responses), or nothing that names one of our features.
   */
  | { readonly kind: 'ignore'; readonly reason: string }
  /** Malformed, naming one of our features: answer with this error. */
  | { readonly kind: 'invalid'; readonly requestId: string; readonly problems: readonly string[]; readonly response: DittoEnvelope };

/** Whether this app serves a feature of its thing (Kanto's dispatch rule: only the owner answers). */
export type OwnsFeature = (featureId: string) => boolean;

/**
 * Kanto's dispatch rule: several apps serve features of one thing (software-update, file-upload and any
 * third-party app all share the gateway thing), so an app answers only commands for features it serves and
 * leaves every other command alone; the connector forwards one response per correlation-id (§2.1.5), and
 * a 404 from a bystander would hide the owner's answer. A malformed request still gets its 400 from the
 * owner of the feature it names; one that names no feature of ours gets nothing from us.
 */
export function routeInbound(topic: string, payload: Buffer, address: AgentAddress, owns: OwnsFeature, maxBytes = 1024 * 1024): InboundCommand {
  const hono = parseHonoTopic(topic);
  if (!hono.ok || hono.topic.kind !== 'command-request') return { kind: 'ignore', reason: 'not a command request topic' };
  const { requestId } = hono.topic;
  const parsed = parseEnvelope(payload, { maxBytes });
  if (!parsed.ok) {
    const response = addressableError(payload, maxBytes, address, owns, parsed.problems);
    return response === undefined ? { kind: 'ignore', reason: `malformed envelope naming none of our features: ${parsed.problems.join('; ')}` } : { kind: 'invalid', requestId, problems: parsed.problems, response };
  }
  const envelope = parsed.envelope;
  const dittoTopic = parseDittoTopic(envelope.topic);
  if (!dittoTopic.ok) return { kind: 'ignore', reason: `unattributable envelope: ${dittoTopic.problems.join('; ')}` };
  const t = dittoTopic.topic;
  if (`${t.namespace}:${t.name}` !== address.thingId) return { kind: 'ignore', reason: `thing ${t.namespace}:${t.name} is not ${address.thingId}` };
  if (t.criterion !== 'messages') return { kind: 'ignore', reason: `${t.channel}/${t.criterion} is not a feature message` };
  const feature = parseFeaturePath(envelope.path);
  if (!feature.ok) return { kind: 'ignore', reason: `names no feature: ${feature.problems.join('; ')}` };
  if (!owns(feature.path.featureId)) return { kind: 'ignore', reason: `feature ${feature.path.featureId} is served by another app` };
  const path = parseFeatureMessagePath(envelope.path);
  if (!path.ok || path.path.box !== 'inbox') {
    const problems = path.ok ? ['messages must be sent to a feature inbox'] : path.problems;
    return { kind: 'invalid', requestId, problems, response: errorFor(envelope, 'parameterInvalid', problems.join('; ')) };
  }
  return {
    kind: 'message',
    requestId,
    envelope,
    featureId: path.path.featureId,
    operation: path.path.subject,
    respond: requestId !== '' && isResponseRequired(envelope.headers),
  };
}

/**
 * A payload that is not a valid envelope but names one of our features of this thing (Ditto topic and
 * path) still gets its 400, with its correlation-id when that is a string: the sender can be told what is
 * wrong. That holds for a JSON object and for a payload refused before parsing (over maxBytes, too deep,
 * broken further on) whose head reads `{"topic": …, "headers": {"correlation-id": …}, "path": …}`.
 * Anything else (no topic, another thing, no path, another app's feature) is not ours to answer.
 */
function addressableError(payload: Buffer, maxBytes: number, address: AgentAddress, owns: OwnsFeature, problems: readonly string[]): DittoEnvelope | undefined {
  const decoded = decodeJsonInput(payload, { ...defaultParseEnvelopeOptions, maxBytes });
  let topic: unknown, path: unknown, correlationId: unknown;
  if (decoded.ok) {
    if (!isPlainObject(decoded.value)) return undefined;
    ({ topic, path } = decoded.value);
    const { headers } = decoded.value;
    correlationId = isPlainObject(headers) ? headers['correlation-id'] : undefined;
  } else {
    // Too large, too deep or not JSON: what its head says is enough to address the error.
    ({ topic, path, correlationId } = peekEnvelopeAddress(payload));
  }
  if (typeof topic !== 'string') return undefined;
  const t = parseDittoTopic(topic);
  if (!t.ok || `${t.topic.namespace}:${t.topic.name}` !== address.thingId) return undefined;
  const feature = parseFeaturePath(path);
  if (!feature.ok || !owns(feature.path.featureId)) return undefined;
  const request: DittoEnvelope = { topic, headers: typeof correlationId === 'string' ? { 'correlation-id': correlationId } : {}, path: path as string };
  return errorFor(request, 'parameterInvalid', problems.join('; '));
}

const codeOfKind: Readonly<Record<ErrorKind, DittoErrorCode>> = Object.freeze({
  InvalidArgument: DittoErrorCodes.parameterInvalid,
  NotFound: DittoErrorCodes.subjectNotFound,
  AlreadyExists: DittoErrorCodes.executionFailed,
  FailedPrecondition: DittoErrorCodes.executionFailed,
  Unavailable: DittoErrorCodes.executionFailed,
  Internal: DittoErrorCodes.executionFailed,
});

/** A Ledge error kind → the Ditto error of §3.1 (400 / 404 / 500). */
export function dittoErrorCodeOf(kind: ErrorKind | undefined): DittoErrorCode {
  return kind === undefined ? DittoErrorCodes.executionFailed : codeOfKind[kind];
}

export function errorFor(request: DittoEnvelope, code: keyof typeof DittoErrorCodes | DittoErrorCode, message: string): DittoEnvelope {
  const c = (code in DittoErrorCodes ? DittoErrorCodes[code as keyof typeof DittoErrorCodes] : code) as DittoErrorCode;
  const value = createDittoError(c, message);
  return buildResponse(request, { status: value.status, value });
}

/** Identifies a delivery so the long- and short-form copies of one command are handled once. */
export function deliveryKey(requestId: string, envelope: DittoEnvelope, payload: Buffer): string {
  const digest = createHash('sha1').update(payload).digest('base64');
  return `${requestId}\u0000${getCorrelationId(envelope.headers) ?? ''}\u0000${digest}`;
}
