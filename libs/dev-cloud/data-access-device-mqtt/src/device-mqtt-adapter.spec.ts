// The device side against real MQTT.js devices: Hono's log-in, what a device may publish and subscribe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import type { MqttClient } from 'mqtt';
import { DEVICES, startAdapter } from './testing/adapter-fixture';

const gw = { tenant: 'demo', deviceId: 'demo:gw' };
/** The granted QoS per filter (MQTT.js 5 rejects a SUBACK holding 0x80, with the packet). */
const grants = (client: MqttClient, filters: string[], qos: 0 | 1 | 2 = 1) =>
  client.subscribeAsync(filters, { qos }).then((g) => g.map((x) => x.qos), (err: { packet?: { granted?: number[] } }) => err.packet?.granted ?? []);
const containers = { tenant: 'demo', deviceId: 'demo:gw:edge:containers' };

describe('device MQTT adapter: log-in, publish, subscribe', { timeout: 30_000 }, () => {
  it('lets a device in as <authId>@<tenant> and refuses wrong or missing credentials', async (t) => {
    const f = await startAdapter(t);
    await f.device('gw');
    await waitFor(() => f.adapter.connected().length === 1, 5000, 'gateway listed');
    assert.deepEqual(f.adapter.connected(), [gw]);
    assert.deepEqual(f.connections, [{ device: gw, connected: true }]);

    const refused = async (options: Parameters<typeof f.connect>[0]) => {
      const err = await f.connect(options).then(() => undefined, (e: unknown) => e as { code?: number });
      assert.ok(err, `refused: ${JSON.stringify({ ...options, password: '…' })}`);
      return err.code;
    };
    assert.equal(await refused({ username: 'gw-auth@demo', password: 'wrong-password' }), 4);
    assert.equal(await refused({ username: 'gw-auth@demo' }), 4, 'no password');
    assert.equal(await refused({ username: 'gw-auth@nowhere', password: DEVICES.gw.password }), 4, 'another tenant');
    assert.equal(await refused({ username: 'demo:gw@demo', password: DEVICES.gw.password }), 4, 'the device ID is not the auth ID');
    assert.equal(await refused({ username: 'gw-auth', password: DEVICES.gw.password }), 4, 'no tenant');
    assert.equal(await refused({}), 5, 'anonymous');
    assert.equal(await refused({ username: 'gw-auth@other', password: DEVICES.gw.password }), 4, "the same authId in another tenant has that tenant's password");

    assert.deepEqual(f.adapter.connected(), [gw], 'the refused ones never count');
    const refusals = f.lines.filter((l) => l['msg'] === 'connection refused');
    assert.equal(refusals.length, 7);
    assert.ok(refusals.every((l) => l['component'] === 'device-mqtt' && typeof l['returnCode'] === 'number' && 'username' in l));
    const all = JSON.stringify(f.lines);
    for (const secret of ['wrong-password', DEVICES.gw.password]) assert.ok(!all.includes(secret), 'passwords are never logged');
  });

  it('hands every telemetry, event and command-response form to onMessage, with device and via', async (t) => {
    const f = await startAdapter(t);
    const dev = await f.device('gw');
    const forms: [topic: string, expected: Record<string, unknown>][] = [
      ['t', { device: gw, kind: 'telemetry' }],
      ['telemetry', { device: gw, kind: 'telemetry' }],
      ['telemetry/demo/demo:gw', { device: gw, kind: 'telemetry' }],
      ['t//demo:gw:edge:containers', { device: containers, kind: 'telemetry' }],
      ['e', { device: gw, kind: 'event' }],
      ['event', { device: gw, kind: 'event' }],
      ['e/demo/demo:gw', { device: gw, kind: 'event' }],
      ['event//demo:gw:edge:containers', { device: containers, kind: 'event' }],
      ['e/demo/demo:gw:edge:containers', { device: containers, kind: 'event' }],
      ['command///res/r-1/200', { device: gw, kind: 'command-response', requestId: 'r-1', status: 200 }],
      ['c///s/r-2/204', { device: gw, kind: 'command-response', requestId: 'r-2', status: 204 }],
      ['command//demo:gw:edge:containers/res/r-3/404', { device: containers, kind: 'command-response', requestId: 'r-3', status: 404 }],
      ['c//demo:gw:edge:containers/s/r-4/500', { device: containers, kind: 'command-response', requestId: 'r-4', status: 500 }],
      ['command/demo//res/r-5/200', { device: gw, kind: 'command-response', requestId: 'r-5', status: 200 }],
    ];
    for (const [i, [topic]] of forms.entries()) await dev.publishAsync(topic, `{"n":${i}}`, { qos: 1 });
    await dev.publishAsync('e', 'qos0', { qos: 0 });
    await dev.publishAsync('e', 'qos2', { qos: 2 });
    await waitFor(() => f.messages.length >= forms.length + 2, 5000, 'every message');
    assert.deepEqual(
      f.messages.slice(0, forms.length).map(({ payload, via, ...m }) => ({ ...m, via, payload: payload.toString() })),
      forms.map(([, e], i) => ({ ...e, via: gw, payload: `{"n":${i}}` })),
      'in order, with the device the topic names and the gateway as via',
    );
    assert.deepEqual(f.messages.slice(forms.length).map((m) => m.payload.toString()), ['qos0', 'qos2'], 'QoS 0 and QoS 2 once each');
  });

  it('drops publishes for another tenant, for devices not behind it and to any other topic (acknowledged, logged)', async (t) => {
    const f = await startAdapter(t);
    const dev = await f.device('gw');
    const bad = ['event/other/demo:gw', 't/other', 'command/other//res/r/200', 'e//demo:sensor', 'e//demo:gwx', 'command///req/r/install', 'c//demo:gw:edge:containers/q/r/x',
      'command///res/r/999', 'command///res//200', 'random/topic', 'edge/thing/response', '$SYS/broker/x'];
    for (const topic of bad) await dev.publishAsync(topic, 'nope', { qos: 1, retain: topic === 'random/topic' });
    await dev.publishAsync('e//demo:sensor', 'nope', { qos: 0 });
    await dev.publishAsync('e', 'marker', { qos: 1 });
    await waitFor(() => f.messages.length >= 1, 5000, 'the marker');
    assert.deepEqual(f.messages.map((m) => m.payload.toString()), ['marker']);
    const dropped = f.lines.filter((l) => l['msg'] === 'publish refused, dropped');
    assert.deepEqual(dropped.map((l) => l['topic']), [...bad, 'e//demo:sensor']);
    assert.ok(dropped.every((l) => l['deviceId'] === 'demo:gw' && l['tenant'] === 'demo' && typeof l['clientId'] === 'string' && typeof l['why'] === 'string'));
  });

  it('grants only command subscriptions; a device subscribing to # gets 0x80 and never sees another device\'s messages', async (t) => {
    const f = await startAdapter(t);
    const sensor = await f.device('sensor');
    const got: string[] = [];
    const qos: number[] = [];
    sensor.on('message', (topic, _p, packet) => (got.push(topic), qos.push(packet.qos)));
    const granted = await grants(sensor, ['#', 'e/#', 't/#', '+/+/+', 'command//demo:gw/req/#', 'command/other//req/#', 'command//+/res/#', 'c///req/#', '$SYS/#', 'command///req/#', 'c/demo/demo:sensor/q/#']);
    assert.deepEqual(granted, [128, 128, 128, 128, 128, 128, 128, 128, 128, 1, 1]);
    assert.equal(f.lines.filter((l) => l['msg'] === 'subscription refused').length, 9);
    assert.deepEqual(await grants(sensor, ['c///q/#'], 2), [2]);

    const gateway = await f.device('gw');
    await gateway.publishAsync('e', 'gw event', { qos: 1 });
    await gateway.publishAsync('t//demo:gw:edge:containers', 'gw telemetry', { qos: 1, retain: true });
    await gateway.publishAsync('command///res/r-1/200', 'gw response', { qos: 1 });
    await waitFor(() => f.messages.length >= 3, 5000, 'the gateway\'s messages');
    // A command written after them: anything forwarded to the sensor would have come first.
    assert.equal(await f.adapter.sendCommand({ device: { tenant: 'demo', deviceId: 'demo:sensor' }, requestId: 'r-s', subject: 'ping', payload: Buffer.from('{}') }), true);
    await waitFor(() => got.length >= 1, 5000, 'the sensor\'s command');
    assert.deepEqual(got, ['c///q/r-s/ping'], 'only its command, in the form it subscribed last');
    assert.deepEqual(qos, [1], 'at QoS 1 for its QoS 2 subscription');

    const late = await f.device('containers');
    const lateGot: string[] = [];
    late.on('message', (topic) => lateGot.push(topic));
    assert.deepEqual(await grants(late, ['t/#', 'command///req/#']), [128, 1]);
    await f.adapter.sendCommand({ device: containers, requestId: 'r-c', subject: 'x', payload: Buffer.alloc(0) });
    await waitFor(() => lateGot.length >= 1, 5000, 'its command');
    assert.deepEqual(lateGot, ['command///req/r-c/x'], 'no retained telemetry on subscribing');
  });
});
