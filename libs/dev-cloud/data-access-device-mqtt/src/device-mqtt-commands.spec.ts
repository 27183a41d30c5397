// The device side against real MQTT.js devices: commands to one client only, connection events and
// take-over, wills, garbage on the socket, and close.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import type { DeviceCommand } from '@ledge/dev-cloud/model-dev-cloud';
import { createRng, fuzzSeed, waitFor } from '@ledge/shared/util/testing';
import { DeviceMqttErrorCodes } from './errors';
import { startAdapter } from './testing/adapter-fixture';

const gw = { tenant: 'demo', deviceId: 'demo:gw' };
const containers = { tenant: 'demo', deviceId: 'demo:gw:edge:containers' };
const sensor = { tenant: 'demo', deviceId: 'demo:sensor' };
const cmd = (device: typeof gw, requestId: string, subject = 'install', payload = '{"x":1}'): DeviceCommand => ({ device, requestId, subject, payload: Buffer.from(payload) });

function inbox(client: MqttClient): { topic: string; payload: string; qos: number }[] {
  const got: { topic: string; payload: string; qos: number }[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), qos: packet.qos }));
  return got;
}

describe('device MQTT adapter: commands, connections, garbage', { timeout: 30_000 }, () => {
  it('sends a command to the device itself, to its gateway, and to nobody else', async (t) => {
    const f = await startAdapter(t);
    const gateway = await f.device('gw');
    const other = await f.device('sensor');
    const gwGot = inbox(gateway);
    const otherGot = inbox(other);
    await other.subscribeAsync(['command//+/req/#', 'c///q/#'], { qos: 1 });
    assert.equal(await f.adapter.sendCommand(cmd(gw, 'r-0')), false, 'connected but not subscribed');

    await gateway.subscribeAsync('command///req/#', { qos: 1 });
    assert.equal(await f.adapter.sendCommand(cmd(gw, 'r-1')), true);
    await waitFor(() => gwGot.length === 1, 5000, 'the gateway\'s own command');
    assert.deepEqual(gwGot[0], { topic: 'command///req/r-1/install', payload: '{"x":1}', qos: 1 });
    assert.equal(await f.adapter.sendCommand(cmd(containers, 'r-2')), false, 'subscribed for its own commands only');

    await gateway.subscribeAsync('command//+/req/#', { qos: 1 });
    assert.equal(await f.adapter.sendCommand(cmd(containers, 'r-3', 'create')), true);
    assert.equal(await f.adapter.sendCommand(cmd(gw, '', 'one-way')), true, 'a one-way command (empty request ID)');
    await waitFor(() => gwGot.length === 3, 5000, 'the commands through the gateway');
    assert.deepEqual(gwGot.slice(1).map((m) => m.topic), ['command//demo:gw:edge:containers/req/r-3/create', 'command///req//one-way']);

    // The device behind the gateway connects itself: its commands go to it now, not to the gateway.
    const cm = await f.device('containers');
    const cmGot = inbox(cm);
    await cm.subscribeAsync('c///q/#', { qos: 0 });
    assert.equal(await f.adapter.sendCommand(cmd(containers, 'r-4', 'stop', 'bin\u0000ary')), true);
    await waitFor(() => cmGot.length === 1, 5000, 'the sub-device\'s own command');
    assert.deepEqual(cmGot, [{ topic: 'c///q/r-4/stop', payload: 'bin\u0000ary', qos: 0 }], 'short form, QoS of its subscription');

    assert.equal(await f.adapter.sendCommand(cmd(sensor, 'r-5')), true);
    await waitFor(() => otherGot.length === 1, 5000, 'the sensor\'s command');
    assert.deepEqual(otherGot.map((m) => m.topic), ['c///q/r-5/install'], 'the sensor saw only its own command');
    assert.equal(gwGot.length, 3, 'the gateway saw none of the sensor\'s or the sub-device\'s later commands');

    assert.equal(await f.adapter.sendCommand(cmd({ tenant: 'demo', deviceId: 'demo:nobody' }, 'r-6')), false, 'nobody connected');
    assert.equal(await f.adapter.sendCommand(cmd({ tenant: 'other', deviceId: 'demo:gw' }, 'r-7')), false, 'another tenant');
    assert.equal(await f.adapter.sendCommand(cmd(gw, 'a/b')), false, 'a request ID that breaks the topic');
    assert.equal(await f.adapter.sendCommand({ device: gw } as unknown as DeviceCommand), false, 'garbage');
    assert.ok(f.lines.some((l) => l['msg'] === 'no connected device takes the command' && l['deviceId'] === 'demo:nobody'));
  });

  it('reports connections, lets a second connection of a device take over, and publishes its will', async (t) => {
    const f = await startAdapter(t);
    const first = await f.device('gw', { clientId: 'first' });
    const firstClosed = new Promise<void>((r) => first.once('close', () => r()));
    const second = await f.device('gw', { clientId: 'second' });
    await firstClosed;
    await waitFor(() => f.connections.length === 3, 5000, 'three connection events');
    assert.deepEqual(f.connections, [{ device: gw, connected: true }, { device: gw, connected: false }, { device: gw, connected: true }]);
    assert.deepEqual(f.adapter.connected(), [gw]);
    const got = inbox(second);
    await second.subscribeAsync('command///req/#', { qos: 1 });
    assert.equal(await f.adapter.sendCommand(cmd(gw, 'r-1')), true);
    await waitFor(() => got.length === 1, 5000, 'the command on the new connection');

    // Two devices sending the same client ID do not take each other over.
    const s = await f.device('sensor', { clientId: 'second' });
    await waitFor(() => f.adapter.connected().length === 2, 5000, 'both listed');
    assert.equal(second.connected, true);

    // A connection lost without DISCONNECT: its will goes to onMessage (the rules of any PUBLISH), then the event.
    const willing = await f.device('containers', { will: { topic: 'e', payload: Buffer.from('gone'), qos: 1, retain: false } });
    await waitFor(() => f.adapter.connected().length === 3, 5000, 'three listed');
    willing.stream.destroy();
    await waitFor(() => f.connections.at(-1)?.connected === false && f.connections.at(-1)?.device.deviceId === containers.deviceId, 5000, 'the sub-device gone');
    assert.deepEqual(f.messages.map((m) => ({ device: m.device, kind: m.kind, payload: m.payload.toString() })), [{ device: containers, kind: 'event', payload: 'gone' }]);

    await s.endAsync();
    await waitFor(() => f.adapter.connected().length === 1, 5000, 'the sensor gone');
    assert.deepEqual(f.adapter.connected(), [gw]);
  });

  it('survives garbage on the socket, in topics and in payloads', async (t) => {
    const f = await startAdapter(t);
    const seed = fuzzSeed(24_001);
    const rng = createRng(seed);
    const raw = async (chunks: Buffer[]) => {
      const socket: Socket = netConnect(f.port, '127.0.0.1');
      t.after(() => socket.destroy());
      const ended = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      await new Promise<void>((r) => socket.once('connect', () => r()));
      for (const c of chunks) socket.write(c);
      return { socket, ended };
    };
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
    // Random bytes, then the end of the stream (a partial packet would wait for the connect timeout).
    for (let i = 0; i < 20; i++) {
      const { socket, ended } = await raw([bytes(1 + Math.floor(rng() * 200))]);
      socket.end();
      await ended;
    }

    const connectPacket = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'raw', keepalive: 0, username: 'gw-auth@demo', password: Buffer.from('gw-password') });
    const publish = (topic: string | Buffer, payload: Buffer) => {
      const topicBytes = Buffer.isBuffer(topic) ? topic : Buffer.from(topic);
      // Hand-built, so that topics MQTT.js and mqtt-packet would refuse to write reach the adapter.
      const body = Buffer.concat([Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]), topicBytes, payload]);
      return Buffer.concat([mqttPacket.generate({ cmd: 'publish', topic: 'x', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false }).subarray(0, 1), encodeLength(body.length), body]);
    };
    const badTopics: (string | Buffer)[] = ['e/#', 'e/+', '', 'e\u0000', Buffer.from([0x65, 0xff, 0xfe]), `e/${'x'.repeat(70_000)}`, 'command///req/a/b', '/'.repeat(200), `e/${'l/'.repeat(5000)}`];
    const badFilters = ['command///req/#/x', '#', 'e\u0000', '', `${'+/'.repeat(200)}#`].map((topic) => ({ topic, qos: 1 as const }));
    const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 7, subscriptions: badFilters });
    for (const packet of [...badTopics.map((topic) => publish(topic, bytes(50))), subscribe, bytes(300)]) {
      const { socket, ended } = await raw([connectPacket, packet]);
      // The adapter ends the connection, or has let it in and dropped the packet.
      await waitFor(() => socket.closed || f.adapter.connected().length === 1, 5000, 'raw connection ended or up');
      socket.destroy();
      await ended;
    }
    assert.equal(f.messages.length, 0, 'no garbage reached onMessage');
    // Random payloads on good topics, and extra levels within aedes' 100: delivered as they are.
    const dev = await f.device('gw');
    const payloads = Array.from({ length: 20 }, () => bytes(Math.floor(rng() * 3000)));
    for (const p of payloads) await dev.publishAsync('e', p, { qos: 1 });
    await dev.publishAsync(`e/demo/demo:gw/${'l/'.repeat(90)}x`, 'deep', { qos: 1 });
    await waitFor(() => f.messages.length >= payloads.length + 1, 5000, `every payload (seed ${seed})`);
    assert.deepEqual(f.messages.slice(0, payloads.length).map((m) => m.payload), payloads, `payloads unchanged (seed ${seed})`);
    // Still serving.
    const again = await f.device('sensor');
    await again.publishAsync('t', 'alive', { qos: 1 });
    await waitFor(() => f.messages.some((m) => m.payload.toString() === 'alive'), 5000, 'alive');
  });

  it('close ends every connection, is idempotent, and nothing is sent or listened afterwards', async (t) => {
    const f = await startAdapter(t);
    const dev = await f.device('gw');
    await dev.subscribeAsync('command///req/#', { qos: 1 });
    const closed = new Promise<void>((r) => dev.once('close', () => r()));
    await Promise.all([f.adapter.close(), f.adapter.close()]);
    await closed;
    await f.adapter.close();
    assert.deepEqual(f.connections, [{ device: gw, connected: true }, { device: gw, connected: false }]);
    assert.deepEqual(f.adapter.connected(), []);
    assert.deepEqual(f.messages, [], 'no will, no message at shutdown');
    assert.equal(await f.adapter.sendCommand(cmd(gw, 'r-1')), false);
    await assert.rejects(f.adapter.listen({ host: '127.0.0.1', port: 0 }), { code: DeviceMqttErrorCodes.CLOSED });
    await assert.rejects(new Promise((resolve, reject) => netConnect(f.port, '127.0.0.1').once('connect', resolve).once('error', reject)), { code: 'ECONNREFUSED' });
  });
});

/** MQTT's variable-length "remaining length" [MQTT-2.2.3]. */
function encodeLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
