// The connector bundle in `mode aws` and `mode azure` against a real Mosquitto standing in for AWS IoT
// Core (mutual TLS, identity = certificate CN) and Azure IoT Hub (TLS; SAS tokens are unit-tested, the
// user name is checked in Mosquitto's connection log), the Ledge broker bundle as the local bus.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { makePki, startEndpointBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';

interface LocalApp {
  client: MqttClient;
  got: { topic: string; payload: string }[];
  identities: Record<string, unknown>[];
  connected: () => boolean;
}

async function localApp(t: TestContextLike, port: number, filters: string[]): Promise<LocalApp> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const got: LocalApp['got'] = [];
  const identities: Record<string, unknown>[] = [];
  let connected = false;
  client.on('message', (topic, payload) => {
    if (topic === 'edge/thing/response') identities.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    else if (topic === 'edge/connection/remote/status') connected = (JSON.parse(payload.toString() || '{}') as { connected?: boolean }).connected === true;
    else got.push({ topic, payload: payload.toString() });
  });
  await client.subscribeAsync(['edge/thing/response', 'edge/connection/remote/status', ...filters], { qos: 1 });
  return { client, got, identities, connected: () => connected };
}

async function cloudSide(t: TestContextLike, port: number, filters: string[]) {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const got: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, got };
}

const envelope = (thing: string, correlationId: string, status?: number) =>
  JSON.stringify({
    topic: `${thing.replace(':', '/')}/things/live/messages/install`,
    headers: { 'correlation-id': correlationId, 'response-required': true, timeout: '30s' },
    path: status === undefined ? '/features/SoftwareUpdatable/inbox/messages/install' : '/features/SoftwareUpdatable/outbox/messages/install',
    ...(status === undefined ? { value: {} } : { status }),
  });

/** Whether `clientId` acknowledged (QoS 1 PUBACK) the delivery of a message on `topic`, per Mosquitto's `log_type all`. */
function pubackAfter(log: string, clientId: string, topic: string): boolean {
  const sent = log.indexOf(`Sending PUBLISH to ${clientId} (d0, q1, r0, m`);
  for (let at = sent; at >= 0; at = log.indexOf(`Sending PUBLISH to ${clientId} (d0, q1, r0, m`, at + 1)) {
    const m = /^Sending PUBLISH to \S+ \(d0, q1, r0, m(\d+), '([^']*)'/.exec(log.slice(at));
    if (m?.[2] === topic && log.indexOf(`Received PUBACK from ${clientId} (Mid: ${m[1]},`, at) > at) return true;
  }
  return false;
}

const modify = (value: object) => JSON.stringify({ topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/features/meter/properties', value });

describe('connector: AWS IoT Core and Azure IoT Hub modes', { timeout: 90_000 }, () => {
  it('aws: identity from the certificate CN, twin modify → shadow update (stale keys nulled after update/accepted), command round trip', async (t) => {
    const pki = makePki(t, 'demo:device');
    const aws = await startEndpointBroker(t, pki, { requireCertificate: true });
    const local = await startLedgeBroker(t);
    const app = await localApp(t, local.port, ['command///req/#', 'c///q/#']);
    // Plays the Device Shadow service (answers update/accepted) and the business application.
    const cloud = await cloudSide(t, aws.plainPort, ['$aws/things/demo:device/shadow/#', 'event/#', 'telemetry/#', 'command//+/res/#']);
    cloud.client.on('message', (topic, payload) => {
      if (topic.endsWith('/shadow/name/meter/update')) void cloud.client.publishAsync(`${topic}/accepted`, payload, { qos: 1 });
    });
    const dir = createTempDir(t);
    const c = spawnConnector(t, {
      mode: 'aws', address: `tls://127.0.0.1:${aws.tlsPort}`, caCert: pki.ca, cert: pki.clientCert, key: pki.clientKey,
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir,
    });
    await waitFor(() => app.connected(), 15_000, 'connected status');
    await waitFor(() => app.identities.length > 0, 5_000, 'identity');
    assert.deepEqual(app.identities.at(-1), { deviceId: 'demo:device', tenantId: 'default-tenant-id' });
    assert.match(aws.log(), /New client connected from 127\.0\.0\.1:\d+ as demo:device .*u'demo:device'/);

    await app.client.publishAsync('e', modify({ a: 1, b: 2 }), { qos: 1 });
    const S = '$aws/things/demo:device/shadow/name/meter/update';
    const updates = () => cloud.got.filter((m) => m.topic === S).map((m) => JSON.parse(m.payload) as unknown);
    await waitFor(() => updates().length === 1, 10_000, 'first shadow update');
    // The accepted response must come back through the connector before the next modify. MQTT.js acknowledges
    // a QoS 1 message after its 'message' listeners ran, and the connector handles cloud messages there
    // synchronously: the connector's PUBACK in Mosquitto's log says it has taken the accepted response in.
    await waitFor(() => pubackAfter(aws.log(), 'demo:device', `${S}/accepted`), 10_000, 'the connector\'s PUBACK of update/accepted');
    await app.client.publishAsync('e', modify({ a: 3 }), { qos: 1 });
    await app.client.publishAsync('t', '{"plain":true}', { qos: 1 });
    await waitFor(() => updates().length === 2 && cloud.got.some((m) => m.topic.startsWith('telemetry/')), 10_000, 'second update and telemetry');
    assert.deepEqual(updates(), [{ state: { reported: { a: 1, b: 2 } } }, { state: { reported: { a: 3, b: null } } }]);
    const tel = cloud.got.find((m) => m.topic.startsWith('telemetry/'))!;
    assert.equal(tel.topic, 'telemetry/default-tenant-id/demo:device');
    assert.equal(typeof (JSON.parse(tel.payload) as { headers: Record<string, unknown> }).headers['x-timestamp'], 'number');

    // r-2 is for another thing and must not come down. r-3 after it is a sentinel: the connector maps cloud
    // messages in arrival order and publishes locally in that order, so once both forms of r-3 are here,
    // r-2 would have been too.
    await cloud.client.publishAsync('command///req/r-1/install', envelope('demo:device', 'corr-1'), { qos: 1 });
    await cloud.client.publishAsync('command///req/r-2/install', envelope('other:device', 'corr-2'), { qos: 1 });
    await cloud.client.publishAsync('command///req/r-3/install', envelope('demo:device', 'corr-3'), { qos: 1 });
    const down = () => app.got.map((m) => m.topic);
    await waitFor(() => down().includes('c///q/r-3/install') && down().includes('command///req/r-3/install'), 10_000, 'the sentinel command in both forms');
    assert.deepEqual(down().sort(), ['c///q/r-1/install', 'c///q/r-3/install', 'command///req/r-1/install', 'command///req/r-3/install']);
    // r-9 answers an unknown correlation-id and must not go up; r-1's answer, published after it, is the
    // sentinel: the outbox sends in arrival order.
    await app.client.publishAsync('command///res/r-9/200', envelope('demo:device', 'unknown', 200), { qos: 1 });
    await app.client.publishAsync('command///res/r-1/204', envelope('demo:device', 'corr-1', 204), { qos: 1 });
    await waitFor(() => cloud.got.some((m) => m.topic === 'command///res/r-1/204'), 10_000, 'the response at AWS');
    assert.deepEqual(cloud.got.filter((m) => m.topic.startsWith('command//')).map((m) => m.topic), ['command///res/r-1/204']);
    // Shadow responses are consumed by the mapping, never logged as drops.
    const drops = c.logs.filter((l) => l['msg'] === 'cloud message not routable locally; dropped');
    assert.ok(drops.every((l) => !String(l['topic']).startsWith('$aws/')), JSON.stringify(drops));
    assert.ok(drops.some((l) => /not addressed/.test(String(l['reason']))), 'the command for another thing was dropped');
  });

  it('azure: D2C property bags, C2D → local commands, response only with a known correlation-id', async (t) => {
    const pki = makePki(t, 'unused');
    const hub = await startEndpointBroker(t, pki, { requireCertificate: false });
    const local = await startLedgeBroker(t);
    const app = await localApp(t, local.port, ['command//+/req/#', 'c//+/q/#']);
    const cloud = await cloudSide(t, hub.plainPort, ['devices/#']);
    const dir = createTempDir(t);
    const key = Buffer.from('ledge-test-shared-access-key-32b').toString('base64');
    const c = spawnConnector(t, {
      mode: 'azure', connectionString: `HostName=ledge-test.azure-devices.net;DeviceId=demo:device;SharedAccessKey=${key}`,
      address: `mqtts://127.0.0.1:${hub.tlsPort}`, caCert: pki.ca, localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir,
    });
    await waitFor(() => app.connected(), 15_000, 'connected status');
    await waitFor(() => app.identities.length > 0, 5_000, 'identity');
    assert.deepEqual(app.identities.at(-1), { deviceId: 'demo:device', tenantId: 'defaultTenant' });
    // §2.3: client ID = DeviceId, user name <HostName>/<DeviceId>/api-version=2020-09-30 (the SAS password is unit-tested).
    assert.match(hub.log(), /New client connected from 127\.0\.0\.1:\d+ as demo:device .*u'ledge-test\.azure-devices\.net\/demo:device\/api-version=2020-09-30'/);
    assert.ok(c.logs.every((l) => !JSON.stringify(l).includes(key)), 'the shared access key is never logged');

    const event = JSON.stringify({ topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/attributes/x', value: 1 });
    await app.client.publishAsync('e', event, { qos: 1 });
    await app.client.publishAsync('telemetry', '{"t":1}', { qos: 1 });
    // besides the connector's own Health feature (docs/mqtt-api.md "Health")
    const d2cOf = () => cloud.got.filter((m) => m.topic.includes('/messages/events/') && !m.payload.includes('"path":"/features/Health'));
    await waitFor(() => d2cOf().length === 2, 10_000, 'two D2C messages');
    const d2c = d2cOf();
    for (const m of d2c) assert.match(m.topic, /^devices\/demo:device\/messages\/events\/%24\.ce=utf-8&%24\.ct=application%2Fjson&%24\.mid=[0-9a-f-]{36}$/);
    assert.deepEqual(d2c.map((m) => m.payload).sort(), [event, '{"t":1}'].sort());

    await cloud.client.publishAsync('devices/demo:device/messages/devicebound/%24.to=%2Fdevices%2Fdemo%3Adevice%2Fmessages%2FdeviceBound', envelope('demo:device', 'corr-1'), { qos: 1 });
    await cloud.client.publishAsync('devices/demo:device/messages/devicebound/', 'not an envelope', { qos: 1 });
    // The sentinel after the garbage: once both its forms are here, anything the garbage became would be too.
    await cloud.client.publishAsync('devices/demo:device/messages/devicebound/%24.to=%2Fdevices%2Fdemo%3Adevice%2Fmessages%2FdeviceBound', envelope('demo:device', 'corr-2'), { qos: 1 });
    const down = () => app.got.map((m) => m.topic);
    await waitFor(() => down().includes('c//demo:device/q/corr-2/install') && down().includes('command//demo:device/req/corr-2/install'), 10_000, 'the sentinel C2D command in both forms');
    assert.deepEqual(down().sort(), ['c//demo:device/q/corr-1/install', 'c//demo:device/q/corr-2/install', 'command//demo:device/req/corr-1/install', 'command//demo:device/req/corr-2/install']);

    // corr-9 was never asked for and must not go up; corr-1's answer after it is the sentinel (the outbox
    // sends in arrival order).
    const before = cloud.got.length;
    await app.client.publishAsync('command//demo:device/res/corr-9/200', envelope('demo:device', 'corr-9', 200), { qos: 1 });
    await app.client.publishAsync('c//demo:device/s/corr-1/200', envelope('demo:device', 'corr-1', 200), { qos: 1 });
    await waitFor(() => cloud.got.slice(before).some((m) => m.payload.includes('"corr-1"')), 10_000, 'the response as D2C');
    const responses = cloud.got.slice(before);
    assert.equal(responses.length, 1);
    assert.equal((JSON.parse(responses[0]!.payload) as { headers: Record<string, string> }).headers['correlation-id'], 'corr-1');
  });
});
