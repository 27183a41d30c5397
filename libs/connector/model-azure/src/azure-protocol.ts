// The Azure IoT Hub flavour of the connector (§2.3), as a pure CloudProtocol:
// * local events, telemetry and command responses go up unchanged as D2C messages; C2D messages carrying
//   a Ditto envelope come down as local commands `command//<ns>:<name>/req/<correlation-id>/<action>`
//   (long and short form) — Kanto's azure-connector;
// * device twin and direct methods (issue 20, Ledge's own mapping; README "Device twin and direct
//   methods"): a twin GET after each connect and desired-property patches become `desired` updates
//   (twin-desired.ts), local twin commands also become reported-property patches (twin-reported.ts),
//   direct methods become live-message commands and their answers method responses (direct-methods.ts).
import { withDefaults } from '@ledge/shared/util';
import { randomUUID } from 'node:crypto';
import { getCorrelationId, parseDittoTopic, parseEnvelope, DITTO_PLACEHOLDER } from '@ledge/shared/model-ditto';
import { buildCommandRequestTopics, parseHonoTopic, topicNameProblem } from '@ledge/shared/model-hono';
import type { BusMessage, CloudProtocol, DeviceContext, KnownTwin, Mapped, QoS } from '@ledge/connector/model-connector';
import { cloudTwinCommandTopic } from '@ledge/connector/model-twins';
import {
  METHOD_SUBSCRIPTION,
  SAFE_REQUEST_ID,
  TWIN_DESIRED_SUBSCRIPTION,
  TWIN_RESPONSE_SUBSCRIPTION,
  c2dPrefix,
  c2dSubscription,
  d2cTopic,
  parseIotHubTopic,
  twinGetTopic,
} from './azure-topics';
import { methodResponseToCloud, methodRidOf, methodToLocal } from './direct-methods';
import { fromDesiredPatch, fromTwinDocument } from './twin-desired';
import { toReportedPatch } from './twin-reported';
import { createTwinState, type TwinState } from './twin-state';

export interface AzureProtocolOptions {
  /** The Azure device ID (from the connection string); defaults to the context's device ID. */
  readonly azureDeviceId: string;
  /** `$.mid` of each D2C message; injected for tests. */
  readonly newMessageId: () => string;
  /** `$rid` of each twin request (GET, reported patch); injected for tests. Must match [A-Za-z0-9-_.~]{1,64}. */
  readonly newRequestId: () => string;
  /** QoS of everything emitted; IoT Hub supports 0 and 1. */
  readonly qos: QoS;
  /** IoT Hub rejects D2C messages above 256 KiB; larger ones are dropped here with a reason. */
  readonly maxMessageBytes: number;
  /** IoT Hub keeps at most 32 KB of reported properties per twin; a larger patch is not sent. */
  readonly maxReportedPatchBytes: number;
  /**
   * Device level of local commands for the gateway thing itself (C2D and direct methods): Kanto's
   * azure-connector always writes `<ns>:<name>` ('thing-id'); 'empty' writes `command///req/…` as Hono
   * does for the gateway (§1.1).
   */
  readonly gatewayCommandDevice: 'thing-id' | 'empty';
  /**
   * `timeout` header of the command a direct method becomes ('' = none). IoT Hub does not pass the
   * caller's timeout to the device; 300 s is its maximum, so the bridge keeps the correlation that long.
   */
  readonly methodTimeout: string;
  /** Bound on remembered reported sections and on twin requests awaiting a response. */
  readonly maxTwinSections: number;
  readonly maxPendingRequests: number;
  /** Told why a part of an otherwise mapped message was left out (a twin property IoT Hub would refuse). */
  readonly onLeftOut: (reason: string) => void;
}

export const defaultAzureProtocolOptions: AzureProtocolOptions = Object.freeze({
  azureDeviceId: '',
  newMessageId: randomUUID,
  newRequestId: randomUUID,
  qos: 1,
  maxMessageBytes: 256 * 1024,
  maxReportedPatchBytes: 32 * 1024,
  gatewayCommandDevice: 'thing-id',
  methodTimeout: '300s',
  maxTwinSections: 1024,
  maxPendingRequests: 256,
  onLeftOut: () => undefined,
});

/** §2.3: everything going up, including command responses. */
export const AZURE_LOCAL_SUBSCRIPTIONS: readonly string[] = Object.freeze([
  'event/#',
  'e/#',
  'telemetry/#',
  't/#',
  'command//+/res/#',
  'c//+/s/#',
]);

export interface AzureProtocol extends CloudProtocol {
  readonly name: 'azure';
  /** What the mapping knows of the twin (read-only use: diagnostics and tests). */
  readonly twin: Pick<TwinState, 'reported' | 'sectionsOf' | 'desiredVersion'>;
}

export function createAzureProtocol(options: Partial<AzureProtocolOptions> = {}): AzureProtocol {
  const opts = withDefaults(defaultAzureProtocolOptions, options);
  const azureId = (ctx: DeviceContext) => opts.azureDeviceId || ctx.deviceId;
  const state = createTwinState({ maxSections: opts.maxTwinSections, maxPending: opts.maxPendingRequests });
  const qos = opts.qos;

  const toCloud = (message: BusMessage, ctx: DeviceContext): Mapped => {
    const parsed = parseHonoTopic(message.topic);
    if (!parsed.ok) return { ok: false, drop: parsed.problems.join('; ') };
    const t = parsed.topic;
    if (t.kind === 'command-request') return { ok: false, drop: `command request "${message.topic}" is not sent to the cloud` };
    const rid = t.kind === 'command-response' ? methodRidOf(t.requestId) : undefined;
    if (t.kind === 'command-response' && rid !== undefined) return methodResponseToCloud(rid, t.status, message.payload, qos);

    const messages: BusMessage[] = [];
    const problems: string[] = [];
    const d2c = d2cMessage(message, ctx);
    if (typeof d2c === 'string') problems.push(d2c);
    else messages.push(d2c);
    if (t.kind !== 'command-response') {
      const patch = reportedPatch(message.payload, ctx);
      problems.push(...(patch?.problems ?? []));
      if (patch?.message !== undefined) messages.push(patch.message);
    }
    if (messages.length === 0) return { ok: false, drop: problems.join('; ') };
    for (const p of problems) opts.onLeftOut(p);
    return { ok: true, messages };
  };

  const d2cMessage = (message: BusMessage, ctx: DeviceContext): BusMessage | string => {
    if (message.payload.length > opts.maxMessageBytes) {
      return `payload of ${message.payload.length} bytes exceeds IoT Hub's ${opts.maxMessageBytes}-byte D2C limit`;
    }
    const topic = d2cTopic(azureId(ctx), opts.newMessageId());
    return topicNameProblem(topic) ?? { topic, payload: message.payload, qos };
  };

  const reportedPatch = (payload: Buffer, ctx: DeviceContext) => {
    const parsed = parseEnvelope(payload);
    const twin = parsed.ok ? cloudTwinCommandTopic(parsed.envelope, ctx.deviceId) : undefined;
    if (!parsed.ok || twin === undefined) return undefined;
    return toReportedPatch(parsed.envelope, twin, {
      deviceId: ctx.deviceId, state, newRequestId: opts.newRequestId, qos, maxPatchBytes: opts.maxReportedPatchBytes,
    });
  };

  const toLocal = (message: BusMessage, ctx: DeviceContext): Mapped => {
    const hub = parseIotHubTopic(message.topic);
    if (hub === undefined) return c2d(message, ctx);
    if (typeof hub === 'string') return { ok: false, drop: hub };
    const desiredCtx = { deviceId: ctx.deviceId, state, problem: opts.onLeftOut };
    switch (hub.kind) {
      case 'twin-response':
        return twinResponse(hub.status, hub.rid, message.payload, desiredCtx);
      case 'desired-patch':
        return fromDesiredPatch(message.payload, hub.version, desiredCtx);
      case 'method':
        return methodToLocal(hub.method, hub.rid, message.payload, {
          deviceId: ctx.deviceId, gatewayCommandDevice: opts.gatewayCommandDevice, timeout: opts.methodTimeout, qos,
        });
    }
  };

  const twinResponse = (status: number, rid: string, payload: Buffer, ctx: Parameters<typeof fromTwinDocument>[1]): Mapped => {
    const request = state.takePending(rid);
    if (request === undefined) return { ok: false, drop: `twin response ${status} for unknown or forgotten $rid "${rid}"` };
    if (request.kind === 'get') return status === 200 ? fromTwinDocument(payload, ctx, request.known) : { ok: false, drop: `twin GET failed with ${status}${statusHint(status)}; desired properties are fetched again at the next connect` };
    if (status >= 200 && status < 300) return { ok: true, messages: [] };
    // The hub kept its previous reported state, which is no longer known here: forget the sections so
    // the next modify does not null keys on the strength of a patch that never applied.
    for (const s of request.sections) state.forgetReported(s);
    return { ok: false, drop: `reported-properties patch of ${request.sections.join(', ').slice(0, 200)} failed with ${status}${statusHint(status)}` };
  };

  const c2d = (message: BusMessage, ctx: DeviceContext): Mapped => {
    if (!message.topic.startsWith(c2dPrefix(azureId(ctx)))) return { ok: false, drop: `"${message.topic.slice(0, 200)}" is not a C2D topic of this device` };
    const parsed = parseEnvelope(message.payload);
    if (!parsed.ok) return { ok: false, drop: `C2D payload is not a Ditto envelope: ${parsed.problems.join('; ')}` };
    const ditto = parseDittoTopic(parsed.envelope.topic);
    if (!ditto.ok) return { ok: false, drop: `C2D envelope topic: ${ditto.problems.join('; ')}` };
    const t = ditto.topic;
    if (t.namespace === DITTO_PLACEHOLDER || t.name === DITTO_PLACEHOLDER) return { ok: false, drop: `C2D envelope "${parsed.envelope.topic}" names no thing` };
    const action = t.criterion === 'messages' ? t.subject : t.criterion === 'errors' ? 'errors' : t.action;
    const requestId = getCorrelationId(parsed.envelope.headers) ?? '';
    if (/[/+#\u0000]/.test(requestId)) return { ok: false, drop: `correlation-id "${requestId.slice(0, 100)}" cannot be a topic level` };
    const thingId = `${t.namespace}:${t.name}`;
    const deviceId = opts.gatewayCommandDevice === 'empty' && thingId === ctx.deviceId ? '' : thingId;
    const { long, short } = buildCommandRequestTopics({ deviceId, requestId, command: action });
    for (const topic of [long, short]) {
      const problem = topicNameProblem(topic);
      if (problem !== undefined) return { ok: false, drop: problem };
    }
    return { ok: true, messages: [long, short].map((topic) => ({ topic, payload: message.payload, qos })) };
  };

  /** After each connect: GET the whole twin, so desired properties changed while offline arrive. */
  const connectRequests = (_ctx: DeviceContext, twins: readonly KnownTwin[]): readonly BusMessage[] => {
    const rid = opts.newRequestId();
    if (!SAFE_REQUEST_ID.test(rid)) return [];
    state.addPending(rid, { kind: 'get', known: twins });
    return [{ topic: twinGetTopic(rid), payload: Buffer.alloc(0), qos }];
  };

  return {
    name: 'azure',
    localSubscriptions: AZURE_LOCAL_SUBSCRIPTIONS,
    cloudSubscriptions: (ctx) => [c2dSubscription(azureId(ctx)), TWIN_RESPONSE_SUBSCRIPTION, TWIN_DESIRED_SUBSCRIPTION, METHOD_SUBSCRIPTION],
    toCloud,
    toLocal,
    connectRequests,
    twin: state,
  };
}

/** IoT Hub's twin status codes (Azure MQTT support: 400 bad request, 429 throttled, 5xx server errors). */
function statusHint(status: number): string {
  if (status === 429) return ' (throttled by IoT Hub)';
  if (status === 400) return ' (IoT Hub refused the request as malformed)';
  if (status >= 500) return ' (IoT Hub server error)';
  return '';
}
