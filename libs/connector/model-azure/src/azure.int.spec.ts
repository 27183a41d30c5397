// The Azure IoT Hub layout end to end over real brokers: one Mosquitto is the local bus, a second one
// stands in for IoT Hub (plain TCP; the client still presents the client ID, username and SAS token
// IoT Hub expects). A minimal pump (MQTT.js + the pure protocol) connects them, as the bridge will.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type MqttClient } from 'mqtt';
import { findMosquitto, startMosquitto, type Mosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import type { DeviceContext } from '@ledge/connector/model-connector';
import { createAzureProtocol } from './azure-protocol';
import { azureConnectionParams } from './sas-token';

const skip = skipUnlessTools('mosquitto', findMosquitto() === undefined);

async function client(url: string, opts: Parameters<typeof connect>[1] = {}): Promise<MqttClient> {
  const c = connect(url, { reconnectPeriod: 0, ...opts });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

describe('Azure IoT Hub layout over Mosquitto', { skip }, () => {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) };
  let localBroker: Mosquitto;
  let hub: Mosquitto;
  before(async () => {
    localBroker = await startMosquitto(t);
    hub = await startMosquitto(t);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('events, telemetry and responses go up as D2C; C2D envelopes come down as commands', async () => {
    const params = azureConnectionParams({
      connectionString: 'HostName=127.0.0.1;DeviceId=demo:device;SharedAccessKey=c2VjcmV0',
      nowMs: Date.now(),
    });
    const ctx: DeviceContext = { deviceId: params.deviceId, tenantId: 'defaultTenant', now: () => Date.now() };
    const protocol = createAzureProtocol({ azureDeviceId: params.deviceId });
    const local = await client(localBroker.url, { clientId: 'cloud' });
    const cloud = await client(hub.url, { clientId: params.clientId, username: params.username, password: params.password ?? '' });
    const app = await client(localBroker.url);
    const backend = await client(hub.url);
    t.after(() => Promise.all([local, cloud, app, backend].map((c) => c.endAsync(true))));

    const drops: string[] = [];
    local.on('message', (topic, payload) => {
      const r = protocol.toCloud({ topic, payload, qos: 1 }, ctx);
      if (r.ok) for (const m of r.messages) cloud.publish(m.topic, m.payload, { qos: 1 });
      else drops.push(r.drop);
    });
    cloud.on('message', (topic, payload) => {
      const r = protocol.toLocal({ topic, payload, qos: 1 }, ctx);
      if (r.ok) for (const m of r.messages) local.publish(m.topic, m.payload, { qos: 1 });
      else drops.push(r.drop);
    });
    await local.subscribeAsync([...protocol.localSubscriptions], { qos: 1 });
    await cloud.subscribeAsync([...protocol.cloudSubscriptions(ctx)], { qos: 1 });

    const d2c: [string, string][] = [];
    backend.on('message', (topic, payload) => void d2c.push([topic, payload.toString()]));
    await backend.subscribeAsync('devices/demo:device/messages/events/#', { qos: 1 });
    const commands: [string, string][] = [];
    app.on('message', (topic, payload) => void commands.push([topic, payload.toString()]));
    await app.subscribeAsync(['command//demo:device/req/#', 'c//demo:device/q/#'], { qos: 1 });

    await app.publishAsync('e', '{"n":1}', { qos: 1 });
    await app.publishAsync('t/defaultTenant/demo:device:edge:containers', '{"n":2}', { qos: 1 });
    await app.publishAsync('command//demo:device/res/c1/204', '{"n":3}', { qos: 1 });
    await waitFor(() => d2c.length >= 3, 5000, 'three D2C messages');
    assert.deepEqual(d2c.map(([, p]) => p).sort(), ['{"n":1}', '{"n":2}', '{"n":3}']);
    for (const [topic] of d2c) assert.match(topic, /^devices\/demo:device\/messages\/events\/%24\.ce=utf-8&%24\.ct=application%2Fjson&%24\.mid=[0-9a-f-]{36}$/);
    assert.equal(new Set(d2c.map(([tp]) => tp)).size, 3, 'a fresh $.mid per message');

    const envelope = JSON.stringify({ topic: 'demo/device/things/live/messages/install', headers: { 'correlation-id': 'k-9' }, path: '/features/SoftwareUpdatable/inbox/messages/install', value: {} });
    await backend.publishAsync('devices/demo:device/messages/devicebound/%24.to=%2Fdevices%2Fdemo%3Adevice%2Fmessages%2FdeviceBound', envelope, { qos: 1 });
    await backend.publishAsync('devices/demo:device/messages/devicebound/x', 'not json', { qos: 1 });
    await waitFor(() => commands.length >= 2 && drops.length >= 1, 5000, 'the command in both forms and one drop');
    assert.deepEqual(commands.sort(), [['c//demo:device/q/k-9/install', envelope], ['command//demo:device/req/k-9/install', envelope]]);
    assert.match(drops.join('\n'), /not a Ditto envelope/);
  });
});
