// The Azure IoT Hub flavour of the connector (§2.3), as a pure CloudProtocol: local events, telemetry
// and command responses go up unchanged as D2C messages; C2D messages carrying a Ditto envelope come
// down as local commands `command//<ns>:<name>/req/<correlation-id>/<action>` (long and short form).
import { withDefaults } from '@ledge/shared/util';
import { randomUUID } from 'node:crypto';
import { getCorrelationId, parseDittoTopic, parseEnvelope, DITTO_PLACEHOLDER } from '@ledge/shared/model-ditto';
import { buildCommandRequestTopics, parseHonoTopic, topicNameProblem } from '@ledge/shared/model-hono';
import type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS } from '@ledge/connector/model-connector';
import { c2dPrefix, c2dSubscription, d2cTopic } from './azure-topics';

export interface AzureProtocolOptions {
  /** The Azure device ID (from the connection string); defaults to the context's device ID. */
  readonly azureDeviceId: string;
  /** `$.mid` of each D2C message; injected for tests. */
  readonly newMessageId: () => string;
  /** QoS of everything emitted; IoT Hub supports 0 and 1. */
  readonly qos: QoS;
  /** IoT Hub rejects D2C messages above 256 KiB; larger ones are dropped here with a reason. */
  readonly maxMessageBytes: number;
  /**
   * Device level of local commands for the gateway thing itself: Kanto's azure-connector always writes
   * `<ns>:<name>` ('thing-id'); 'empty' writes `command///req/…` as Hono does for the gateway (§1.1).
   */
  readonly gatewayCommandDevice: 'thing-id' | 'empty';
}

export const defaultAzureProtocolOptions: AzureProtocolOptions = Object.freeze({
  azureDeviceId: '',
  newMessageId: randomUUID,
  qos: 1,
  maxMessageBytes: 256 * 1024,
  gatewayCommandDevice: 'thing-id',
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

export function createAzureProtocol(options: Partial<AzureProtocolOptions> = {}): CloudProtocol {
  const opts = withDefaults(defaultAzureProtocolOptions, options);
  const azureId = (ctx: DeviceContext) => opts.azureDeviceId || ctx.deviceId;

  const toCloud = (message: BusMessage, ctx: DeviceContext): Mapped => {
    const parsed = parseHonoTopic(message.topic);
    if (!parsed.ok) return { ok: false, drop: parsed.problems.join('; ') };
    if (parsed.topic.kind === 'command-request') return { ok: false, drop: `command request "${message.topic}" is not sent to the cloud` };
    if (message.payload.length > opts.maxMessageBytes) {
      return { ok: false, drop: `payload of ${message.payload.length} bytes exceeds IoT Hub's ${opts.maxMessageBytes}-byte D2C limit` };
    }
    const topic = d2cTopic(azureId(ctx), opts.newMessageId());
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return { ok: false, drop: problem };
    return { ok: true, messages: [{ topic, payload: message.payload, qos: opts.qos }] };
  };

  const toLocal = (message: BusMessage, ctx: DeviceContext): Mapped => {
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
    return { ok: true, messages: [long, short].map((topic) => ({ topic, payload: message.payload, qos: opts.qos })) };
  };

  return {
    name: 'azure',
    localSubscriptions: AZURE_LOCAL_SUBSCRIPTIONS,
    cloudSubscriptions: (ctx) => [c2dSubscription(azureId(ctx))],
    toCloud,
    toLocal,
  };
}
