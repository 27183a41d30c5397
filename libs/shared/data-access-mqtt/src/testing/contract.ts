// The LocalBusClient contract (STYLE.md: every pluggable interface ships a contract suite that the
// in-memory and the real implementation both pass; after aedes-persistence's abstract.js). Call it from
// a spec file; `makeClient` returns a new, not yet started client on the same bus each time.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import type { BusPacket, LocalBusClient } from '../types';

export type MakeLocalBusClient = (t: TestContext) => LocalBusClient | Promise<LocalBusClient>;

export interface LocalBusContractOptions {
  /** How long to wait for a delivery. */
  timeoutMs?: number;
}

export function localBusClientContract(name: string, makeClient: MakeLocalBusClient, options: LocalBusContractOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 5_000;

  const started = async (t: TestContext): Promise<LocalBusClient> => {
    const c = await makeClient(t);
    t.after(() => c.close());
    await c.start();
    await c.waitForConnection();
    return c;
  };
  const prefix = () => `contract/${randomUUID().slice(0, 8)}`;
  const collect = (c: LocalBusClient, filter: string): BusPacket[] => {
    const got: BusPacket[] = [];
    c.onMessage(filter, (_topic, _payload, packet) => void got.push(packet));
    return got;
  };
  const until = (fn: () => unknown, what: string) => waitFor(fn, timeoutMs, what);
  /** Publishes a marker and waits for it: everything published before it on the same connection has arrived. */
  const sync = async (pub: LocalBusClient, sub: BusPacket[], topic: string) => {
    const marker = randomUUID();
    await pub.publish(topic, marker, { qos: 1 });
    await until(() => sub.some((p) => p.topic === topic && p.payload.toString() === marker), `marker on ${topic}`);
  };

  describe(`LocalBusClient contract: ${name}`, () => {
    it('connects, reports it, and counts the connection', async (t) => {
      const c = await makeClient(t);
      t.after(() => c.close());
      const seen: boolean[] = [];
      c.on('connected', (info) => void seen.push(info.sessionPresent));
      assert.equal(c.connected, false);
      await c.start();
      await c.start(); // idempotent
      await c.waitForConnection();
      assert.equal(c.connected, true);
      await until(() => seen.length === 1, 'connected event');
      assert.ok(c.stats().connects >= 1);
    });

    it('rejects bad input with typed errors', async (t) => {
      const c = await makeClient(t);
      t.after(() => c.close());
      await assert.rejects(c.publish('x', 'early'), { code: 'LEDGE_MQTT_NOT_STARTED' });
      await c.start();
      await assert.rejects(c.publish('a/+/b', 'x'), { code: 'LEDGE_MQTT_INVALID_TOPIC' });
      await assert.rejects(c.publish('', 'x'), { code: 'LEDGE_MQTT_INVALID_TOPIC' });
      await assert.rejects(c.subscribe('a/#/b'), { code: 'LEDGE_MQTT_INVALID_FILTER' });
      assert.throws(() => c.onMessage('a/b+', () => undefined), { code: 'LEDGE_MQTT_INVALID_FILTER' });
    });

    it('delivers published messages at QoS 0, 1 and 2 with the QoS downgraded to the subscription', async (t) => {
      const [a, b] = [await started(t), await started(t)];
      const base = prefix();
      const got = collect(b, `${base}/#`);
      await b.subscribe(`${base}/q1/+`, { qos: 1 });
      await b.subscribe(`${base}/q2/+`, { qos: 2 });
      await a.publish(`${base}/q2/zero`, 'zero', { qos: 0 });
      await a.publish(`${base}/q2/one`, Buffer.from([1, 2, 3]), { qos: 1 });
      await a.publish(`${base}/q2/two`, new Uint8Array([0xff, 0]), { qos: 2 });
      await a.publish(`${base}/q1/two`, 'downgraded', { qos: 2 });
      await until(() => got.length === 4, '4 messages');
      const by = (topic: string) => got.find((p) => p.topic === `${base}/${topic}`)!;
      assert.equal(by('q2/zero').payload.toString(), 'zero');
      assert.deepEqual([...by('q2/one').payload], [1, 2, 3]);
      assert.deepEqual([...by('q2/two').payload], [0xff, 0]);
      assert.ok(Buffer.isBuffer(by('q2/two').payload));
      // Ordering is guaranteed per QoS level only [MQTT-4.6.0-6], so compare as a set.
      assert.deepEqual(
        got.map((p) => [p.topic.slice(base.length + 1), p.qos, p.retain]).sort(),
        [['q1/two', 1, false], ['q2/one', 1, false], ['q2/two', 2, false], ['q2/zero', 0, false]],
      );
    });

    it('routes to per-filter handlers with MQTT wildcard rules and emits `message`', async (t) => {
      const c = await started(t);
      const base = prefix();
      const calls: string[] = [];
      c.onMessage(`${base}/#`, (topic) => void calls.push(`# ${topic.slice(base.length)}`));
      c.onMessage(`${base}/+/b`, (topic) => void calls.push(`+ ${topic.slice(base.length)}`));
      c.onMessage(`${base}/a/c`, (topic) => void calls.push(`c ${topic.slice(base.length)}`));
      const remove = c.onMessage(`${base}/a/b`, () => void calls.push('removed'));
      remove();
      const events: string[] = [];
      c.on('message', (topic, payload) => void events.push(`${topic.slice(base.length)}=${payload.toString()}`));
      await c.subscribe(`${base}/#`, { qos: 1 });
      await c.publish(`${base}/a/b`, 'x', { qos: 1 });
      await until(() => calls.length === 2, 'two handler calls');
      assert.deepEqual(calls.sort(), ['# /a/b', '+ /a/b']);
      assert.deepEqual(events, ['/a/b=x']);
    });

    it('delivers retained messages to later subscribers and clears them with an empty payload', async (t) => {
      const [a, b] = [await started(t), await started(t)];
      const base = prefix();
      await a.publish(`${base}/status`, '{"on":true}', { qos: 1, retain: true });
      const got = collect(b, `${base}/#`);
      await b.subscribe(`${base}/#`, { qos: 1 });
      await until(() => got.length === 1, 'retained message');
      assert.equal(got[0]!.payload.toString(), '{"on":true}');
      assert.equal(got[0]!.retain, true);
      await a.publish(`${base}/status`, '', { qos: 1, retain: true });
      const c = await started(t);
      const late = collect(c, `${base}/#`);
      await c.subscribe(`${base}/#`, { qos: 1 });
      await sync(a, late, `${base}/marker`);
      assert.deepEqual(late.map((p) => p.topic), [`${base}/marker`]);
    });

    it('reference-counts subscriptions: the last unsubscribe stops delivery', async (t) => {
      const c = await started(t);
      const base = prefix();
      const got = collect(c, `${base}/#`);
      await c.subscribe(`${base}/marker`, { qos: 1 });
      await c.subscribe(`${base}/data`);
      await c.subscribe([`${base}/data`]);
      await c.unsubscribe(`${base}/data`);
      await c.publish(`${base}/data`, '1', { qos: 1 });
      await until(() => got.some((p) => p.topic === `${base}/data`), 'still subscribed after one unsubscribe');
      await c.unsubscribe([`${base}/data`]);
      await c.publish(`${base}/data`, '2', { qos: 1 });
      await sync(c, got, `${base}/marker`);
      assert.deepEqual(got.filter((p) => p.topic === `${base}/data`).map((p) => p.payload.toString()), ['1']);
    });

    it('survives throwing and rejecting handlers: other handlers still run, the client keeps working', async (t) => {
      const c = await started(t);
      const base = prefix();
      c.onMessage(`${base}/#`, () => {
        throw new Error('bad payload');
      });
      c.onMessage(`${base}/#`, async () => {
        throw new Error('bad payload, async');
      });
      c.on('message', () => {
        throw new Error('bad listener');
      });
      const got = collect(c, `${base}/#`);
      await c.subscribe(`${base}/#`, { qos: 1 });
      await c.publish(`${base}/x`, 'not json', { qos: 1 });
      await c.publish(`${base}/y`, 'again', { qos: 1 });
      await until(() => got.length === 2, 'both messages despite failing handlers');
      assert.equal(c.connected, true);
    });

    it('closes idempotently; afterwards operations fail with LEDGE_MQTT_CLOSED', async (t) => {
      const c = await started(t);
      const reasons: string[] = [];
      c.on('disconnected', (info) => void reasons.push(info.reason));
      await Promise.all([c.close(), c.close()]);
      await c.close();
      assert.equal(c.connected, false);
      assert.equal(reasons.length, 1);
      await assert.rejects(c.publish('x', 'y', { qos: 1 }), { code: 'LEDGE_MQTT_CLOSED' });
      await assert.rejects(c.subscribe('x'), { code: 'LEDGE_MQTT_CLOSED' });
      await assert.rejects(c.waitForConnection(), { code: 'LEDGE_MQTT_CLOSED' });
      await assert.rejects(c.start(), { code: 'LEDGE_MQTT_CLOSED' });
      await c.unsubscribe('x'); // a no-op, so cleanup code may call it
    });

    it('rejects a pending waitForConnection when closed before connecting', async (t) => {
      const c = await makeClient(t);
      const waiting = c.waitForConnection();
      await c.close();
      await assert.rejects(waiting, { code: 'LEDGE_MQTT_CLOSED' });
    });
  });
}
