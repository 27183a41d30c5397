// A third-party app on the gateway, built the way Kanto's ditto-clients-golang components are (§1.1):
// a plain local MQTT client (no Ledge code) that asks the connector for the identity, registers its own
// feature on the gateway thing with a twin modify on `e`, subscribes `command///req/#` and answers only
// inbox messages addressed to its thing and its feature, leaving every other command to its owner.
import { connectAsync } from 'mqtt';
import { onCleanup, type TestContextLike } from '@ledge/shared/util/testing';

export const THIRD_PARTY_FEATURE = 'Greeter';
export const THIRD_PARTY_DEFINITION = 'com.acme.edge:Greeter:1.0.0';

interface Envelope {
  topic?: unknown;
  headers?: Record<string, unknown>;
  path?: unknown;
  value?: unknown;
}

export interface ThirdPartyApp {
  /** Request IDs of the commands it answered, in order. */
  readonly answered: string[];
}

/**
 * Connects to the local broker at `url`. Operation `greet` answers 200 with "hello, <value>"; any other
 * operation of its feature 404 messages:subject.notfound.
 */
export async function startThirdPartyApp(t: TestContextLike, url: string): Promise<ThirdPartyApp> {
  const client = await connectAsync(url, { clientId: 'acme-greeter', reconnectPeriod: 200 });
  onCleanup(t, () => client.endAsync(true));
  const answered: string[] = [];
  let thing: { namespace: string; name: string } | undefined;

  const onIdentity = (payload: Buffer) => {
    let deviceId: unknown;
    try {
      deviceId = (JSON.parse(payload.toString()) as { deviceId?: unknown }).deviceId;
    } catch {
      return;
    }
    if (typeof deviceId !== 'string' || !deviceId.includes(':')) return;
    const at = deviceId.indexOf(':');
    thing = { namespace: deviceId.slice(0, at), name: deviceId.slice(at + 1) };
    const registration = {
      topic: `${thing.namespace}/${thing.name}/things/twin/commands/modify`,
      headers: { 'response-required': false, 'content-type': 'application/json' },
      path: `/features/${THIRD_PARTY_FEATURE}`,
      value: { definition: [THIRD_PARTY_DEFINITION], properties: { greeting: 'hello' } },
    };
    void client.publishAsync('e', JSON.stringify(registration), { qos: 1 });
  };

  const onCommand = (topic: string, payload: Buffer) => {
    const requestId = topic.split('/')[4] ?? '';
    let env: Envelope;
    try {
      env = JSON.parse(payload.toString()) as Envelope;
    } catch {
      return;
    }
    if (thing === undefined || typeof env.topic !== 'string' || typeof env.path !== 'string') return;
    const prefix = `${thing.namespace}/${thing.name}/things/live/messages/`;
    const inbox = `/features/${THIRD_PARTY_FEATURE}/inbox/messages/`;
    // Not our thing or not our feature: another app owns it, so not a word from us.
    if (!env.topic.startsWith(prefix) || !env.path.startsWith(inbox)) return;
    const operation = env.path.slice(inbox.length);
    const correlationId = env.headers?.['correlation-id'];
    if (requestId === '' || env.headers?.['response-required'] === false) return;
    const status = operation === 'greet' ? 200 : 404;
    const value = status === 200 ? `hello, ${String(env.value)}` : { status: 404, error: 'messages:subject.notfound', message: `operation '${operation}' is not supported` };
    const response = {
      topic: env.topic,
      headers: { ...(correlationId === undefined ? {} : { 'correlation-id': correlationId }), 'content-type': 'application/json' },
      path: `/features/${THIRD_PARTY_FEATURE}/outbox/messages/${operation}`,
      value,
      status,
    };
    answered.push(requestId);
    void client.publishAsync(`command///res/${requestId}/${status}`, JSON.stringify(response), { qos: 1 });
  };

  client.on('message', (topic, payload) => {
    if (topic === 'edge/thing/response') onIdentity(payload);
    else if (topic.startsWith('command///req/')) onCommand(topic, payload);
  });
  await client.subscribeAsync(['edge/thing/response', 'command///req/#'], { qos: 1 });
  await client.publishAsync('edge/thing/request', '', { qos: 1 });
  return { answered };
}
