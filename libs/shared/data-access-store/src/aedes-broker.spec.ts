// What the broker relies on, end to end: a real aedes 1.2 broker on the disk persistence, real MQTT
// clients, and a broker restart in between (port 0, everything closed by the test that opened it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { captureLogger, createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { createDiskPersistence, type DiskPersistence } from './disk-persistence';

interface Running {
  url: string;
  persistence: DiskPersistence;
  stop(): Promise<void>;
}

async function startBroker(t: TestContextLike, dir: string): Promise<Running> {
  const persistence = createDiskPersistence({ dir, logger: captureLogger('broker', 'info').logger });
  const broker = await Aedes.createBroker({ persistence });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await persistence.destroy(); // aedes never destroys its persistence: the owner does, after close
  };
  t.after(stop);
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, persistence, stop };
}

async function connect(t: TestContextLike, url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId, clean, protocolVersion: 4, reconnectPeriod: 0 });
  t.after(() => client.endAsync(true));
  return client;
}

describe('aedes 1.2 on the disk persistence', () => {
  it('delivers QoS 1 messages queued for an offline persistent session after a broker restart, in order', async (t) => {
    const dir = createTempDir(t);
    const first = await startBroker(t, dir);
    const sub = await connect(t, first.url, 'sub-1', false);
    await sub.subscribeAsync('dev/+/cmd', { qos: 1 });
    await sub.endAsync();

    const pub = await connect(t, first.url, 'pub-1', true);
    for (let i = 0; i < 5; i++) await pub.publishAsync('dev/1/cmd', `cmd-${i}`, { qos: 1 });
    await pub.publishAsync('dev/1/state', 'online', { qos: 1, retain: true });
    await pub.endAsync();
    // aedes PUBACKs QoS 1 before it enqueues, so wait for the store
    await waitFor(() => first.persistence.stats().queued === 5, 5000, 'five queued messages');
    await first.stop();

    const second = await startBroker(t, dir);
    const got: string[] = [];
    const client = mqtt.connect(second.url, { clientId: 'sub-1', clean: false, protocolVersion: 4, reconnectPeriod: 0 });
    t.after(() => client.endAsync(true));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    client.on('message', (_topic, payload) => got.push(payload.toString()));
    assert.equal(connack.sessionPresent, true, 'the session (its subscriptions) survived the restart');
    await waitFor(() => got.length === 5, 5000, 'five messages');
    assert.deepEqual(got, ['cmd-0', 'cmd-1', 'cmd-2', 'cmd-3', 'cmd-4']);
    await waitFor(() => second.persistence.stats().queued === 0, 5000, 'PUBACKs to clear the queue');

    const late = await connect(t, second.url, 'late', true);
    const retained = new Promise<string>((resolve) => late.once('message', (_topic, payload) => resolve(payload.toString())));
    await late.subscribeAsync('dev/1/state', { qos: 1 });
    assert.equal(await retained, 'online');
  });
});
