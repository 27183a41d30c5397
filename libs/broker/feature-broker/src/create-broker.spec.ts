// The broker in-process (memory persistence, port 0) with MQTT.js clients: the behaviour the hooks add to
// aedes. The shipped bundle is tested end to end in broker.int.spec.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { captureLogger, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { defaultBrokerConfig, type BrokerSettings } from './config';
import { createBroker } from './create-broker';

async function start(t: TestContextLike, overrides: Partial<BrokerSettings> = {}) {
  const { logger, lines } = captureLogger('broker', 'debug');
  const broker = createBroker({ ...defaultBrokerConfig, port: 0, persistence: 'memory', ...overrides }, { logger });
  t.after(() => broker.close());
  await broker.start();
  const port = broker.addresses()[0]!.port;
  return { broker, url: `mqtt://127.0.0.1:${port}`, lines, port };
}

async function client(t: TestContextLike, url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  t.after(() => c.endAsync(true));
  return c;
}

function collect(c: MqttClient, only: (topic: string) => boolean = () => true): { topic: string; payload: string; qos: number; retain: boolean }[] {
  const got: { topic: string; payload: string; qos: number; retain: boolean }[] = [];
  c.on('message', (topic, payload, packet) => only(topic) && got.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain }));
  return got;
}

// "Nothing else arrives" is shown without waiting: a probe message, sent after the event, is awaited
// instead. The broker keeps a publisher's messages in order on their way to a subscriber ([MQTT-4.6.0-6])
// and its log lines in order (sys-log.ts), so whatever the event made it send comes before the probe.

describe('createBroker', () => {
  it('logs the real port, closes idempotently, and can be closed before start', async (t) => {
    const { broker, lines, port } = await start(t);
    const listening = lines.find((l) => l['msg'] === 'listening');
    assert.deepEqual([listening?.['protocol'], listening?.['host'], listening?.['port']], ['tcp', '127.0.0.1', port]);
    assert.notEqual(port, 0);
    await Promise.all([broker.close(), broker.close()]);
    await broker.close();
    const never = createBroker({ ...defaultBrokerConfig, port: 0, persistence: 'memory' }, { logger: captureLogger().logger });
    await never.close();
  });

  it('delivers once per client at the highest granted QoS, never above it', async (t) => {
    const { url } = await start(t);
    const pub = await client(t, url, { clientId: 'pub' });
    const cases: [subs: [string, 0 | 1 | 2][], pubQos: 0 | 1 | 2, want: number][] = [
      [[['a/#', 0], ['a/b', 2]], 2, 2],
      [[['a/b', 2], ['a/#', 0]], 2, 2],
      [[['a/+', 0], ['a/#', 2]], 2, 2],
      [[['a/#', 1]], 2, 1],
      [[['a/+', 1], ['#', 2]], 1, 1],
      [[['a/#', 0], ['+/b', 0]], 2, 0],
      [[['a/#', 2]], 0, 0],
      [[['a/b', 1], ['a/#', 2]], 2, 2], // exact-topic subscription with the lower QoS
      [[['a/b', 0], ['+/+', 1], ['#', 2]], 1, 1],
    ];
    for (const [i, [subs, pubQos, want]] of cases.entries()) {
      const sub = await client(t, url, { clientId: `sub-${i}` });
      const got = collect(sub, (topic) => topic === 'a/b'); // '#' also gets the broker's retained health
      for (const [f, q] of subs) await sub.subscribeAsync(f, { qos: q });
      await pub.publishAsync('a/b', `m${i}`, { qos: pubQos });
      await pub.publishAsync('a/b', 'probe', { qos: pubQos });
      await waitFor(() => got.some((m) => m.payload === 'probe' && m.qos === want), 3000, `delivery ${i}`);
      assert.deepEqual(got.map((m) => [m.payload, m.qos]), [[`m${i}`, want], ['probe', want]], JSON.stringify(subs));
      await sub.endAsync();
    }
    // a burst: every delivery of the exact-topic overlap still goes out at QoS 2
    const sub = await client(t, url, { clientId: 'burst' });
    const got = collect(sub);
    await sub.subscribeAsync({ 'a/b': { qos: 0 }, 'a/#': { qos: 2 } });
    await Promise.all(Array.from({ length: 30 }, (_, i) => pub.publishAsync('a/b', `b${i}`, { qos: 2 })));
    await waitFor(() => got.length === 30, 5000, 'burst');
    assert.deepEqual([...new Set(got.map((m) => m.qos))], [2]);
  });

  it('acknowledges and drops publishes to $SYS; the client stays connected', async (t) => {
    const { url } = await start(t);
    const watcher = await client(t, url, { clientId: 'w' });
    const got = collect(watcher);
    await watcher.subscribeAsync(['$SYS/x/#', 'probe']);
    const c = await client(t, url, { clientId: 'p' });
    await c.publishAsync('$SYS/x/y', 'fake', { qos: 1 });
    await c.publishAsync('$SYS/x/y', 'fake', { qos: 2 });
    await c.publishAsync('probe', 'after', { qos: 1 });
    await waitFor(() => got.length > 0, 3000, 'the probe');
    assert.equal(c.connected, true);
    assert.deepEqual(got.map((m) => m.topic), ['probe']);
  });

  it('enforces ACLs: dropped publishes, SUBACK 0x80, filtered deliveries, %c', async (t) => {
    const acl = [
      { permission: 'allow', action: 'both', topic: 'dev/%c/#' },
      { permission: 'allow', action: 'subscribe', topic: 'shared/#' },
      { permission: 'deny', action: 'subscribe', topic: 'shared/secret' },
      { clientId: 'writer', permission: 'allow', action: 'publish', topic: 'shared/#' },
    ];
    const { url } = await start(t, { acl });
    const reader = await client(t, url, { clientId: 'reader' });
    const got = collect(reader);
    // MQTT.js rejects a SUBACK holding 0x80; the packet rides on the error
    const suback = await reader.subscribeAsync({ 'shared/#': { qos: 1 }, 'other/#': { qos: 1 }, 'dev/reader/#': { qos: 1 } }).then(
      () => assert.fail('expected a refused subscription'),
      (err: { packet?: { granted?: number[] } }) => err.packet,
    );
    assert.deepEqual(suback?.granted, [1, 128, 1]);
    const writer = await client(t, url, { clientId: 'writer' });
    await writer.publishAsync('shared/ok', '1', { qos: 1 });
    await writer.publishAsync('shared/secret', '2', { qos: 1 }); // allowed to write, reader may not receive
    await writer.publishAsync('dev/reader/x', '3', { qos: 1 }); // not writer's tree: dropped
    await reader.publishAsync('dev/reader/x', '4', { qos: 1 });
    await reader.publishAsync('shared/ok', '5', { qos: 1 }); // reader may not publish there: dropped
    await writer.publishAsync('shared/ok', 'probe-w', { qos: 1 });
    await reader.publishAsync('dev/reader/x', 'probe-r', { qos: 1 });
    const probes = () => got.filter((m) => m.payload.startsWith('probe-')).length;
    await waitFor(() => probes() === 2, 3000, 'deliveries');
    assert.deepEqual(got.map((m) => m.payload).filter((p) => !p.startsWith('probe-')).sort(), ['1', '4']);
    assert.equal(writer.connected && reader.connected, true, 'refused publishes do not close the connection');
  });

  it('refuses shared subscriptions with SUBACK 0x80 (aedes has none); a malformed one closes the connection', async (t) => {
    const { url, lines } = await start(t);
    const c = await client(t, url, { clientId: 'sharer' });
    const got = collect(c);
    const suback = await c.subscribeAsync({ '$share/g/a/+': { qos: 1 }, 'a/+': { qos: 1 } }).then(
      () => assert.fail('expected a refused subscription'),
      (err: { packet?: { granted?: number[] } }) => err.packet,
    );
    assert.deepEqual(suback?.granted, [128, 1]);
    assert.ok(lines.some((l) => l['msg'] === 'shared subscription refused: not supported' && l['topic'] === '$share/g/a/+'));
    await c.publishAsync('a/x', 'one', { qos: 1 });
    await c.publishAsync('$share/g/a/x', 'literal', { qos: 1 });
    await c.publishAsync('a/probe', 'probe', { qos: 1 });
    await waitFor(() => got.some((m) => m.payload === 'probe'), 3000, 'the probe');
    assert.deepEqual(got.map((m) => m.payload), ['one', 'probe'], 'delivered once, through a/+ only');

    // [MQTT-4.8.2-2] a share name must be followed by '/' and a topic filter: a protocol violation
    const bad = await client(t, url, { clientId: 'bad-sharer' });
    const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
    bad.subscribe('$share/g');
    await closed;
    const refused = lines.find((l) => l['msg'] === 'packet refused, closing connection' && l['clientId'] === 'bad-sharer');
    assert.match(String(refused?.['detail']), /no topic filter after \$share\/<group>\//);
  });

  it('publishes Mosquitto log lines, including restored subscriptions of a resumed session', async (t) => {
    const { url } = await start(t);
    const watcher = await client(t, url, { clientId: 'watcher' });
    const got = collect(watcher);
    await watcher.subscribeAsync('$SYS/broker/log/#', { qos: 0 });
    const dev = await client(t, url, { clientId: 'dev', clean: false, username: 'u' });
    await dev.subscribeAsync('command//a:b/req/#', { qos: 1 });
    await dev.unsubscribeAsync('command//a:b/req/#');
    await dev.subscribeAsync('c//a:b/q/#', { qos: 0 });
    await dev.endAsync();
    const again = await client(t, url, { clientId: 'dev', clean: false });
    const texts = () => got.map((m) => `${m.topic} ${m.payload.replace(/^\d+: /, '')}`);
    await waitFor(() => texts().filter((x) => x.includes('c//a:b/q/#')).length === 2, 3000, 'restored subscription line');
    again.stream.destroy();
    await waitFor(() => texts().some((x) => x.endsWith('closed its connection.')), 3000, 'close line');
    const lines = texts().filter((x) => !x.includes('watcher'));
    assert.deepEqual(lines.map((l) => l.replace(/127\.0\.0\.1:\d+/g, 'ADDR').replace(/on port \d+/, 'on port P')), [
      '$SYS/broker/log/N New connection from ADDR on port P.',
      "$SYS/broker/log/N New client connected from ADDR as dev (p2, c0, k60, u'u').",
      '$SYS/broker/log/M/subscribe dev 1 command//a:b/req/#',
      '$SYS/broker/log/M/unsubscribe dev command//a:b/req/#',
      '$SYS/broker/log/M/subscribe dev 0 c//a:b/q/#',
      '$SYS/broker/log/N Client dev disconnected.',
      '$SYS/broker/log/N New connection from ADDR on port P.',
      '$SYS/broker/log/N New client connected from ADDR as dev (p2, c0, k60).',
      '$SYS/broker/log/M/subscribe dev 0 c//a:b/q/#',
      '$SYS/broker/log/N Client dev closed its connection.',
    ]);
    assert.ok(got.every((m) => /^\d{10}: /.test(m.payload) && !m.retain));
  });

  it('writes no notice for a connection taken over by the same client id', async (t) => {
    const { url } = await start(t);
    const watcher = await client(t, url, { clientId: 'watcher' });
    const got = collect(watcher);
    await watcher.subscribeAsync('$SYS/broker/log/N');
    await client(t, url, { clientId: 'twin' });
    await client(t, url, { clientId: 'twin' });
    await waitFor(() => got.filter((m) => m.payload.includes('as twin')).length === 2, 3000, 'both connects');
    await client(t, url, { clientId: 'probe' }); // its notice comes after any line for the taken-over connection
    await waitFor(() => got.some((m) => m.payload.includes('as probe')), 3000, 'the probe connect');
    assert.equal(got.filter((m) => /Client twin/.test(m.payload)).length, 0);
  });

  it('bounds the memory queue of an offline session (newest not queued)', async (t) => {
    const { url, lines } = await start(t, { maxQueuedMessages: 3 });
    const sub = await client(t, url, { clientId: 'slow', clean: false });
    await sub.subscribeAsync('q/#', { qos: 1 });
    await sub.endAsync();
    const pub = await client(t, url, { clientId: 'pub' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('q/x', String(i), { qos: 1 });
    const back = mqtt.connect(url, { clientId: 'slow', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => back.endAsync(true));
    const got = collect(back);
    await waitFor(() => got.length === 3, 3000, 'three queued messages');
    await pub.publishAsync('q/x', 'probe', { qos: 1 }); // after every queued message, in order
    await waitFor(() => got.some((m) => m.payload === 'probe'), 3000, 'the probe');
    assert.deepEqual(got.map((m) => m.payload), ['0', '1', '2', 'probe']);
    assert.ok(lines.some((l) => l['msg'] === 'outgoing queue full; newest message not queued'));
  });
});
