// MQTT 3.1.1 conformance of the shipped bundle, over raw sockets: what a client library would never send.
// Every refusal must leave the broker serving everybody else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { expectNothingFor, hasCommand, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { raw, rawConnect, run, startBrokerProcess, type BrokerProcess, type RawConnection } from './testing';

const CONNACK_OK = '20020000';
const hex = (b: Buffer) => b.toString('hex');

async function session(t: TestContextLike, b: BrokerProcess, connect = raw.connect()): Promise<RawConnection> {
  const c = await rawConnect(t, b.port);
  c.send(connect);
  assert.equal(hex(await c.waitForBytes(4)), CONNACK_OK);
  return c;
}

async function expectClosed(c: RawConnection, what: string, timeoutMs = 3000): Promise<void> {
  await waitFor(() => c.isClosed(), timeoutMs, `${what}: connection closed`);
}

/** The broker still works for a well-behaved client (and has not crashed). */
async function assertServing(t: TestContextLike, b: BrokerProcess): Promise<void> {
  const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4 });
  t.after(() => c.endAsync(true));
  const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(p.toString())));
  await c.subscribeAsync('alive/check', { qos: 1 });
  await c.publishAsync('alive/check', 'yes', { qos: 1 });
  assert.equal(await got, 'yes');
  await c.endAsync();
  assert.ok(!b.proc.logs.some((l) => l['level'] === 'fatal'), 'no fatal log line');
}

describe('broker conformance (bundle, raw sockets)', () => {
  it('enforces the CONNECT rules of MQTT 3.1.1', async (t) => {
    const b = await startBrokerProcess(t, ['--persistence', 'memory']);

    await t.test('[MQTT-3.1.2-2] unsupported protocol level: CONNACK 0x01, then close', async (st) => {
      for (const level of [2, 5, 6]) {
        const c = await rawConnect(st, b.port);
        c.send(raw.connect({ level }));
        assert.equal(hex(await c.waitForBytes(4)), '20020001', `level ${level}`);
        await expectClosed(c, `level ${level}`);
      }
    });

    await t.test('[MQTT-3.1.3-8] zero-byte client id: CleanSession=0 refused (0x02), CleanSession=1 gets an id', async (st) => {
      const refused = await rawConnect(st, b.port);
      refused.send(raw.connect({ clientId: '', clean: false }));
      assert.equal(hex(await refused.waitForBytes(4)), '20020002');
      await expectClosed(refused, 'empty id, clean 0');
      const old = await rawConnect(st, b.port);
      old.send(raw.connect({ protocolName: 'MQIsdp', level: 3, clientId: '' }));
      assert.equal(hex(await old.waitForBytes(4)), '20020002', 'MQTT 3.1 needs an id');
      const accepted = await session(st, b, raw.connect({ clientId: '', clean: true }));
      accepted.send(raw.subscribe(1, [['anon/#', 1]]));
      assert.equal(hex(await accepted.waitForBytes(9)).slice(8), '9003000101');
      const line = await b.proc.waitForLog((l) => l['msg'] === 'client connected' && typeof l['clientId'] === 'string' && l['clientId'] !== '');
      assert.ok((line['clientId'] as string).length > 0);
    });

    await t.test('MQTT 5 clients get a clear refusal (MQTT.js and mosquitto_pub)', async (st) => {
      const err = await mqtt.connectAsync(b.url, { protocolVersion: 5, reconnectPeriod: 0 }).then(
        (c) => {
          st.after(() => c.endAsync(true));
          return undefined;
        },
        (e: Error & { code?: number }) => e,
      );
      assert.equal(err?.code, 1);
      assert.match(err?.message ?? '', /Unacceptable protocol version/);
      if (hasCommand('mosquitto_pub')) {
        const r = await run('mosquitto_pub', ['-p', String(b.port), '-V', 'mqttv5', '-t', 'x', '-m', 'y']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Unsupported Protocol Version/);
      }
    });

    await t.test('bad CONNECTs close without CONNACK', async (st) => {
      const cases: [string, Buffer][] = [
        ['reserved flag', raw.connect({ extraFlags: 0x01 })],
        ['password without user', raw.connect({ password: 'x' })],
        ['will topic with wildcard', raw.connect({ will: { topic: 'w/#' } })],
        ['will topic with U+0000', raw.connect({ will: { topic: 'w\u0000x' } })],
        ['client id not UTF-8', raw.connect({ clientId: Buffer.from([0xff]) })],
        ['unknown protocol name', raw.connect({ protocolName: 'MQTX' })],
        ['truncated', raw.frame(0x10, Buffer.from([0, 4, 0x4d]))],
      ];
      for (const [what, bytes] of cases) {
        const c = await rawConnect(st, b.port);
        c.send(bytes);
        await expectClosed(c, what);
        assert.equal(c.received().length, 0, `${what}: no CONNACK`);
      }
      const second = await session(st, b);
      second.send(raw.connect());
      await expectClosed(second, 'second CONNECT');
    });

    await assertServing(t, b);
  });

  it('closes the connection on invalid topics, QoS 3 and malformed packets', async (t) => {
    const b = await startBrokerProcess(t, ['--persistence', 'memory']);
    const cases: [string, Buffer][] = [
      ['publish topic with U+0000', raw.publish('a\u0000b', 'x', 1)],
      ['publish topic with +', raw.publish('a/+', 'x')],
      ['publish topic with #', raw.publish('a/#', 'x')],
      ['empty publish topic', raw.publish('', 'x')],
      ['publish topic not UTF-8', raw.publish(Buffer.from([0xc3, 0x28]), 'x')],
      ['publish QoS 3', raw.frame(0x36, Buffer.from([0, 1, 0x61, 0, 1]))],
      ['packet id 0', raw.publish('a', 'x', 1, 0)],
      ['subscribe a#', raw.subscribe(1, [['a#', 0]])],
      ['subscribe a/+b', raw.subscribe(1, [['a/+b', 0]])],
      ['subscribe # not last', raw.subscribe(1, [['a/#/b', 0]])],
      ['subscribe U+0000', raw.subscribe(1, [['a\u0000', 0]])],
      ['subscribe QoS 3', raw.subscribe(1, [['a', 3]])],
      ['subscribe without topics', raw.subscribe(1, [])],
      ['unsubscribe a+', raw.unsubscribe(1, ['a+'])],
      ['unsubscribe U+0000', raw.unsubscribe(1, ['x\u0000'])],
      ['reserved packet type', Buffer.from([0xf0, 0x00])],
      ['CONNACK from a client', Buffer.from([0x20, 0x02, 0x00, 0x00])],
      ['5-byte remaining length', Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])],
      ['bad PUBACK flags', Buffer.from([0x41, 0x02, 0x00, 0x01])],
    ];
    for (const [what, bytes] of cases) {
      await t.test(what, async (st) => {
        const c = await session(st, b);
        c.send(bytes);
        await expectClosed(c, what);
        assert.equal(hex(c.received()), CONNACK_OK, `${what}: nothing but the CONNACK was sent`);
      });
    }
    const line = b.proc.logs.find((l) => l['msg'] === 'packet refused, closing connection' && l['rule'] === 'MQTT-3.3.2-2');
    assert.ok(line, 'refusals are logged with the rule');
    await assertServing(t, b);
  });

  it('survives garbage, oversized packets and half-open connections', async (t) => {
    const b = await startBrokerProcess(t, ['--persistence', 'memory', '--maxPacketSize', '65536', '--connectTimeout', '1']);

    await t.test('garbage before CONNECT is dropped at once', async (st) => {
      for (const bytes of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(3000, 0x10)]) {
        const c = await rawConnect(st, b.port);
        c.send(bytes);
        await expectClosed(c, 'garbage');
      }
    });

    await t.test('an oversized packet closes the connection, announced or sent', async (st) => {
      const announced = await session(st, b);
      announced.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])); // 256 MiB, never sent
      await expectClosed(announced, 'announced 256 MiB');
      const client = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4 });
      st.after(() => client.endAsync(true));
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish('big', Buffer.alloc(100 * 1024, 1), { qos: 0 });
      await closed;
      await b.proc.waitForLog((l) => l['rule'] === 'maxPacketSize');
    });

    await t.test('a connection that never sends CONNECT is closed after connectTimeout', async (st) => {
      const silent = await rawConnect(st, b.port);
      await expectClosed(silent, 'silent connection', 5000);
      const partial = await rawConnect(st, b.port);
      partial.send(raw.connect().subarray(0, 5)); // half a CONNECT
      await expectClosed(partial, 'half a CONNECT', 5000);
    });

    await t.test('a client that misses 1.5 × keepalive is disconnected; one that pings is not', async (st) => {
      const quiet = await session(st, b, raw.connect({ clientId: 'quiet', keepalive: 1 }));
      const pinging = await session(st, b, raw.connect({ clientId: 'pinging', keepalive: 1 }));
      const started = Date.now();
      const timer = setInterval(() => pinging.send(raw.PINGREQ), 400);
      st.after(() => clearInterval(timer));
      await expectClosed(quiet, 'keepalive', 4000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1400, `closed after ${elapsed} ms, not before 1.5 s`);
      // Connected right after the quiet one, it would be closed about now if its PINGREQs did not count: the
      // window covers that moment and three more pings.
      await expectNothingFor(1200, () => pinging.isClosed(), 'the pinging client disconnected');
      assert.equal(pinging.isClosed(), false, 'the pinging client is still connected');
      await b.proc.waitForLog((l) => l['msg'] === 'client disconnected' && l['clientId'] === 'quiet' && l['reason'] === 'keepalive');
    });

    await t.test('resets in the middle of packets do not hurt', async (st) => {
      for (let i = 0; i < 20; i++) {
        const c = await session(st, b, raw.connect({ clientId: `reset-${i}` }));
        c.send(raw.publish('a/b', 'x'.repeat(5000), 1).subarray(0, 1000 + i * 100));
        c.socket.resetAndDestroy();
      }
    });

    await assertServing(t, b);
  });
});
