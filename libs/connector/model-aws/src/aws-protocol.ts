// The AWS IoT Core flavour of the connector (§2.2), as a pure CloudProtocol: Ditto twin commands become
// Device Shadow updates, other events/telemetry are forwarded Hono-style with `x-timestamp`, cloud
// commands addressed to the device (or its `:` children) are forwarded in long and short form. After each
// connect it asks for the shadows (`get`) and hands their desired state to the bridge (issue 20).
import { withDefaults } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import { parseEnvelope, parseDittoTopic, parseJsonObject, setOwn, type JsonObject } from '@ledge/shared/model-ditto';
import { buildCommandRequestTopics, parseHonoTopic, routeLocalToCloud } from '@ledge/shared/model-hono';
import type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS } from '@ledge/connector/model-connector';
import { AWS_COMMAND_SUBSCRIPTIONS, parseShadowResponse, shadowDesiredSubscriptions, shadowStateSubscriptions } from './aws-topics';
import { invalidFilterError } from './errors';
import { cloudTwinCommandTopic, createTwinSectionRegistry } from '@ledge/connector/model-twins';
import { test } from './payload-filters';
import { shadowGetRequests } from './shadow-get';
import { toShadowMessages } from './shadow-mapping';
import { fromShadowResponse } from './shadow-responses';
import { createShadowStateCache, type ShadowStateCache } from './shadow-state';

export interface AwsProtocolOptions {
  /** Ditto topics matching this regex are not sent to shadows (nor anywhere else). Empty = off. */
  readonly topicFilter: string | RegExp;
  /** Leaves whose path (`/features/X/properties/y`) matches one of these are removed from shadow updates. */
  readonly payloadFilters: readonly (string | RegExp)[];
  /** QoS of everything the mapping emits; AWS IoT Core supports 0 and 1. */
  readonly qos: QoS;
  /** Bound on remembered shadow states (reported and desired, each) and shadow names. */
  readonly maxShadows: number;
  /** Bound on the shadow `get` requests sent after each connect, the classic shadow included. */
  readonly maxShadowGets: number;
}

export const defaultAwsProtocolOptions: AwsProtocolOptions = Object.freeze({
  topicFilter: '',
  payloadFilters: Object.freeze([]) as readonly string[],
  qos: 1,
  maxShadows: 1024,
  maxShadowGets: 64,
});

/** The local topics the AWS mapping consumes (§2.2): events/telemetry and command responses. */
export const AWS_LOCAL_SUBSCRIPTIONS: readonly string[] = Object.freeze([
  'event/#',
  'e/#',
  'telemetry/#',
  't/#',
  'command//+/res/#',
  'c//+/s/#',
]);

export interface AwsProtocol extends CloudProtocol {
  readonly name: 'aws';
  /** The last known reported state per shadow (read-only view, for diagnostics and tests). */
  readonly shadows: Pick<ShadowStateCache, 'get' | 'size'>;
  /** The last known desired state per shadow (what a local `modify` of desiredProperties compares against). */
  readonly desiredShadows: Pick<ShadowStateCache, 'get' | 'size'>;
}

function compile(key: string, pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw invalidFilterError(key, pattern, err);
  }
}

/** Builds the mapping; throws LEDGE_CONNECTOR_AWS_INVALID_FILTER for a bad regex (a config error). */
export function createAwsProtocol(options: Partial<AwsProtocolOptions> = {}): AwsProtocol {
  const opts = withDefaults(defaultAwsProtocolOptions, options);
  const topicFilter = opts.topicFilter === '' ? undefined : compile('topicFilter', opts.topicFilter);
  const payloadFilters = opts.payloadFilters.map((p) => compile('payloadFilters', p));
  const state = createShadowStateCache({ maxShadows: opts.maxShadows });
  const desired = createShadowStateCache({ maxShadows: opts.maxShadows });
  const sections = createTwinSectionRegistry({ maxSections: opts.maxShadows });
  const qos = opts.qos;

  const toCloud = (message: BusMessage, ctx: DeviceContext): Mapped => {
    const routed = routeLocalToCloud(message.topic, { tenantId: ctx.tenantId, deviceId: ctx.deviceId });
    if (!routed.ok) return { ok: false, drop: routed.problems.join('; ') };
    if (routed.source.kind === 'command-response') return { ok: true, messages: [{ topic: routed.topic, payload: message.payload, qos }] };

    const parsed = parseEnvelope(message.payload);
    if (parsed.ok) {
      const twin = cloudTwinCommandTopic(parsed.envelope, ctx.deviceId);
      if (twin !== undefined) {
        if (topicFilter !== undefined && test(topicFilter, parsed.envelope.topic)) {
          return { ok: false, drop: `Ditto topic "${parsed.envelope.topic}" excluded by topicFilter` };
        }
        return toShadowMessages(parsed.envelope, twin, { deviceId: ctx.deviceId, payloadFilters, state, desired, sections, qos });
      }
    }
    return { ok: true, messages: [{ topic: routed.topic, payload: withTimestamp(message.payload, ctx.now()), qos }] };
  };

  const toLocal = (message: BusMessage, ctx: DeviceContext): Mapped => {
    const response = parseShadowResponse(message.topic, ctx.deviceId);
    if (response !== undefined) return fromShadowResponse(response, message.payload, { deviceId: ctx.deviceId, state, desired, sections });
    return command(message, ctx.deviceId, qos);
  };

  return {
    name: 'aws',
    localSubscriptions: AWS_LOCAL_SUBSCRIPTIONS,
    cloudSubscriptions: (ctx) => [...AWS_COMMAND_SUBSCRIPTIONS, ...shadowStateSubscriptions(ctx.deviceId), ...shadowDesiredSubscriptions(ctx.deviceId)],
    toCloud,
    toLocal,
    connectRequests: (ctx, twins) => shadowGetRequests(twins, { deviceId: ctx.deviceId, sections, max: opts.maxShadowGets, qos }),
    shadows: state,
    desiredShadows: desired,
  };
}

/** Cloud `command//<device>/req/<reqId>/<name>` (also `cmd//…/q/…`, `c//…/q/…`) → local long + short form. */
function command(message: BusMessage, deviceId: string, qos: QoS): Mapped {
  const topic = message.topic.startsWith('cmd/') ? `c/${message.topic.slice(4)}` : message.topic;
  const parsed = parseHonoTopic(topic);
  if (!parsed.ok) return { ok: false, drop: parsed.problems.join('; ') };
  if (parsed.topic.kind !== 'command-request') return { ok: false, drop: `cloud topic "${message.topic}" is not a command request` };
  const envelope = parseEnvelope(message.payload);
  if (!envelope.ok) return { ok: false, drop: `command payload is not a Ditto envelope: ${envelope.problems.join('; ')}` };
  const ditto = parseDittoTopic(envelope.envelope.topic);
  if (!ditto.ok) return { ok: false, drop: `command envelope topic: ${ditto.problems.join('; ')}` };
  const thingId = `${ditto.topic.namespace}:${ditto.topic.name}`;
  if (thingId !== deviceId && !thingId.startsWith(`${deviceId}:`)) {
    return { ok: false, drop: `command for "${thingId}" is not addressed to "${deviceId}" or its children` };
  }
  const { long, short } = buildCommandRequestTopics(parsed.topic);
  return { ok: true, messages: [long, short].map((t) => ({ topic: t, payload: message.payload, qos })) };
}

/**
 * Adds `headers["x-timestamp"]` (epoch ms) to a JSON-object payload, as Kanto's generic routing does;
 * anything that is not a JSON object is forwarded byte for byte.
 */
export function withTimestamp(payload: Buffer, nowMs: number): Buffer {
  const obj = parseJsonObject(payload);
  if (obj === undefined) return payload;
  const headers: JsonObject = isPlainObject(obj['headers']) ? { ...obj['headers'] } : {};
  setOwn(headers, 'x-timestamp', nowMs);
  const out: JsonObject = { ...obj };
  setOwn(out, 'headers', headers);
  return Buffer.from(JSON.stringify(out));
}
