import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { captureLogger } from '@ledge/shared/util/testing';
import { createLocalBusClient } from './local-bus-client';
import type { LocalBusClientOptions } from './options';
import { createFakeConnect, type FakeMqttClient } from './testing/fake-mqtt-client';
import type { ReconnectingInfo } from './types';

const flush = () => new Promise<void>((r) => setImmediate(r));

async function setup(t: TestContext, options: LocalBusClientOptions = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const fake = createFakeConnect();
  const log = captureLogger('test', 'debug');
  const client = createLocalBusClient({ logger: log.logger, connect: fake.connect, backoff: { random: () => 0.5 }, ...options });
  t.after(() => client.close());
  const reconnecting: ReconnectingInfo[] = [];
  client.on('reconnecting', (info) => void reconnecting.push(info));
  await client.start();
  const mqtt: FakeMqttClient = fake.last();
  return { client, mqtt, reconnecting, log, fake };
}

describe('createLocalBusClient: reconnect with backoff', () => {
  it('waits a growing, capped delay between attempts and resets after a connection', async (t) => {
    const { mqtt, reconnecting, client } = await setup(t, { backoff: { initialMs: 500, maxMs: 4_000, random: () => 0.5 } });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      mqtt.fail();
      const { delayMs, attempt } = reconnecting.at(-1)!;
      assert.equal(attempt, i + 1);
      delays.push(delayMs);
      const before = mqtt.attempts;
      t.mock.timers.tick(delayMs - 1);
      assert.equal(mqtt.attempts, before, 'no attempt before the delay has passed');
      t.mock.timers.tick(1);
      assert.equal(mqtt.attempts, before + 1);
    }
    assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
    mqtt.accept();
    assert.equal(client.connected, true);
    mqtt.drop('read ECONNRESET');
    assert.deepEqual(reconnecting.at(-1), { attempt: 1, delayMs: 500 });
  });

  it('uses the default 500 ms…30 s schedule with ±25 % jitter', async (t) => {
    for (const [random, factor] of [
      [0, 0.75],
      [0.999999, 1.25],
    ] as const) {
      const fake = createFakeConnect();
      const client = createLocalBusClient({ connect: fake.connect, backoff: { random: () => random } });
      t.after(() => client.close());
      const delays: number[] = [];
      client.on('reconnecting', (i) => void delays.push(i.delayMs));
      await client.start();
      for (let i = 0; i < 10; i++) fake.last().fail();
      // Only the first failure schedules; later ones while a timer is pending are ignored.
      assert.deepEqual(delays, [Math.round(500 * factor)]);
      await client.close();
    }
    const { mqtt, reconnecting } = await setup(t, { backoff: { random: () => 0.5 } });
    for (let i = 0; i < 10; i++) {
      mqtt.fail();
      t.mock.timers.tick(reconnecting.at(-1)!.delayMs);
    }
    assert.deepEqual(
      reconnecting.map((r) => r.delayMs),
      [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000],
    );
  });

  it('emits disconnected only for an established connection, with the reason', async (t) => {
    const { client, mqtt } = await setup(t);
    const reasons: string[] = [];
    client.on('disconnected', (i) => void reasons.push(i.reason));
    mqtt.fail();
    assert.deepEqual(reasons, []);
    t.mock.timers.tick(500);
    mqtt.accept();
    mqtt.drop('Keepalive timeout');
    assert.deepEqual(reasons, ['Keepalive timeout']);
  });

  it('sets TCP_NODELAY on the first socket and on every reconnect', async (t) => {
    const { mqtt } = await setup(t);
    assert.equal(mqtt.noDelayCalls, 1);
    mqtt.fail();
    t.mock.timers.tick(500);
    assert.equal(mqtt.noDelayCalls, 2);
    mqtt.accept();
    assert.equal(mqtt.noDelayCalls, 3, 're-applied on connect');
  });

  it('logs a refused CONNACK at error level and emits a typed error', async (t) => {
    const { client, mqtt, log } = await setup(t);
    const errors: { code: string; details: unknown }[] = [];
    client.on('error', (e) => void errors.push(e as never));
    mqtt.fail(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }));
    assert.equal(errors[0]?.code, 'LEDGE_MQTT_CONNECTION_REFUSED');
    assert.deepEqual(errors[0]?.details, { reasonCode: 5 });
    assert.ok(log.lines.some((l) => l['level'] === 'error' && l['msg'] === 'broker refused the connection'));
  });
});

describe('createLocalBusClient: subscriptions', () => {
  it('subscribes what was registered before connecting and resubscribes after a reconnect without session', async (t) => {
    const { client, mqtt } = await setup(t);
    await client.subscribe(['a/#', 'b/+'], { qos: 1 });
    await client.subscribe('c');
    assert.deepEqual(mqtt.subscribes, [], 'nothing sent while offline');
    let sentBeforeConnected = -1;
    client.on('connected', () => void (sentBeforeConnected = mqtt.subscribes.length));
    mqtt.accept();
    assert.equal(sentBeforeConnected, 1, 'SUBSCRIBE goes out before `connected` is emitted');
    assert.deepEqual(mqtt.subscribes[0], { 'a/#': { qos: 1 }, 'b/+': { qos: 1 }, c: { qos: 0 } });
    await flush();
    mqtt.drop();
    t.mock.timers.tick(500);
    mqtt.accept(false);
    assert.deepEqual(mqtt.subscribes[1], { 'a/#': { qos: 1 }, 'b/+': { qos: 1 }, c: { qos: 0 } });
  });

  it('with a persistent session resubscribes only when the broker lost it', async (t) => {
    const { client, mqtt } = await setup(t, { clean: false, clientId: 'cm' });
    mqtt.accept();
    await client.subscribe('a', { qos: 1 });
    assert.equal(mqtt.subscribes.length, 1);
    mqtt.drop();
    t.mock.timers.tick(500);
    mqtt.accept(true);
    assert.equal(mqtt.subscribes.length, 1, 'session present: the broker still has it');
    mqtt.drop();
    t.mock.timers.tick(500);
    mqtt.accept(false);
    assert.deepEqual(mqtt.subscribes[1], { a: { qos: 1 } });
  });

  it('sends UNSUBSCRIBE at the last reference; offline with a session it is deferred to the reconnect', async (t) => {
    const { client, mqtt } = await setup(t, { clean: false, clientId: 'cm' });
    mqtt.accept();
    await client.subscribe('x');
    await client.subscribe('x');
    await client.unsubscribe('x');
    assert.deepEqual(mqtt.unsubscribes, []);
    mqtt.drop();
    await client.unsubscribe('x');
    assert.deepEqual(mqtt.unsubscribes, []);
    t.mock.timers.tick(500);
    mqtt.accept(true);
    assert.deepEqual(mqtt.unsubscribes, [['x']]);
  });

  it('rejects a refused filter with its reason code and forgets it', async (t) => {
    const { client, mqtt } = await setup(t);
    mqtt.accept();
    mqtt.refuse.add('forbidden/#');
    await assert.rejects(client.subscribe(['ok', 'forbidden/#']), { code: 'LEDGE_MQTT_SUBSCRIBE_REFUSED', details: { filter: 'forbidden/#', reasonCode: 0x80 } });
    mqtt.drop();
    t.mock.timers.tick(500);
    mqtt.accept();
    assert.deepEqual(mqtt.subscribes.at(-1), { ok: { qos: 0 } });
  });

  it('catches and logs handler errors; other handlers and `message` listeners still run', async (t) => {
    const { client, mqtt, log } = await setup(t);
    mqtt.accept();
    const got: string[] = [];
    client.onMessage('edge/#', (_topic, payload) => JSON.parse(payload.toString()) as void);
    client.onMessage('edge/+/response', (topic) => void got.push(`handler ${topic}`));
    client.on('message', (topic) => void got.push(`event ${topic}`));
    mqtt.deliver('edge/thing/response', '{garbage');
    await flush();
    assert.deepEqual(got, ['event edge/thing/response', 'handler edge/thing/response']);
    const line = log.lines.find((l) => l['msg'] === 'message handler failed');
    assert.equal(line?.['filter'], 'edge/#');
    assert.equal(line?.['topic'], 'edge/thing/response');
    assert.equal((line?.['err'] as { type?: string }).type, 'SyntaxError');
  });
});

describe('createLocalBusClient: publish', () => {
  it('drops and counts QoS 0 while offline, queues QoS 1 until the reconnect', async (t) => {
    const { client, mqtt } = await setup(t);
    await client.publish('t', 'lost', { qos: 0 });
    assert.equal(client.stats().droppedQos0, 1);
    assert.equal(mqtt.published.length, 0, 'QoS 0 never reaches MQTT.js offline');
    let acked = false;
    const p = client.publish('e', '{"x":1}', { qos: 1 }).then(() => (acked = true));
    await flush();
    assert.equal(acked, false);
    assert.equal(client.stats().inFlight, 1);
    mqtt.accept();
    await p;
    assert.equal(client.stats().inFlight, 0);
    await client.publish('t', 'sent', { qos: 0 });
    assert.deepEqual(
      mqtt.published.map((m) => [m.topic, m.payload.toString(), m.qos, m.retain]),
      [
        ['e', '{"x":1}', 1, false],
        ['t', 'sent', 0, false],
      ],
    );
  });

  it('rejects before start and for invalid topics', async (t) => {
    const fake = createFakeConnect();
    const client = createLocalBusClient({ connect: fake.connect });
    t.after(() => client.close());
    await assert.rejects(client.publish('a', 'b'), { code: 'LEDGE_MQTT_NOT_STARTED' });
    await client.start();
    await assert.rejects(client.publish('a/#', 'b'), { code: 'LEDGE_MQTT_INVALID_TOPIC' });
  });
});

describe('createLocalBusClient: close', () => {
  it('waits for in-flight QoS 1 publishes, then disconnects gracefully', async (t) => {
    const { client, mqtt } = await setup(t);
    mqtt.accept();
    mqtt.autoAck = false;
    const pub = client.publish('e', 'x', { qos: 1 });
    await flush();
    let closed = false;
    const closing = client.close().then(() => (closed = true));
    await flush();
    assert.equal(closed, false, 'close waits for the PUBACK');
    mqtt.ackAll();
    await pub;
    await closing;
    assert.deepEqual(mqtt.ends, [false]);
  });

  it('gives up waiting after closeTimeoutMs: forces the end and rejects what is left', async (t) => {
    const { client, mqtt } = await setup(t, { closeTimeoutMs: 1_000 });
    mqtt.accept();
    mqtt.autoAck = false;
    const pub = client.publish('e', 'x', { qos: 1 });
    const rejected = assert.rejects(pub, { code: 'LEDGE_MQTT_CLOSED' });
    await flush();
    const closing = client.close();
    await flush();
    t.mock.timers.tick(1_000);
    await closing;
    await rejected;
    assert.deepEqual(mqtt.ends, [true]);
  });

  it('stops waiting when the connection drops during close: ends at once and rejects what is left', async (t) => {
    const { client, mqtt } = await setup(t, { closeTimeoutMs: 60_000 });
    mqtt.accept();
    mqtt.autoAck = false;
    const pub = client.publish('e', 'x', { qos: 1 });
    const rejected = assert.rejects(pub, { code: 'LEDGE_MQTT_CLOSED' });
    await flush();
    let closed = false;
    const closing = client.close().then(() => (closed = true));
    await flush();
    assert.equal(closed, false, 'close waits for the PUBACK');
    mqtt.drop('broker stopped');
    await closing; // no timer tick: the drop ends the wait
    await rejected;
    assert.deepEqual(mqtt.ends, [true]);
  });

  it('stops reconnecting and drops the half-open attempt when closed while offline', async (t) => {
    const { client, mqtt, reconnecting } = await setup(t);
    mqtt.fail();
    assert.equal(reconnecting.length, 1);
    await client.close();
    t.mock.timers.tick(60_000);
    assert.equal(mqtt.attempts, 1);
    assert.deepEqual(mqtt.ends, [true]);
    await client.close();
    assert.deepEqual(mqtt.ends, [true], 'idempotent');
  });
});
