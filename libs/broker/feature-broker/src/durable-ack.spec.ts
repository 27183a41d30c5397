// Acknowledge only what is durable (issue 17): the broker answers a QoS 1 PUBLISH (PUBACK) or QoS 2
// PUBLISH (PUBREC) only after the publish pipeline has queued it for every persistent session and the
// persistence's durable() barrier has settled. The barrier is a gate here, so the test decides when the
// write "completes"; the real disk persistence's barrier and a SIGKILL are in apps/ledge zero-loss specs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { captureLogger, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { defaultBrokerConfig } from './config';
import { createBroker } from './create-broker';
import { memoryPersistence, type PersistenceFactory } from './persistence';

/** A durable() that settles only when the test opens it, counting calls. */
function gatedBarrier() {
  let open: (() => void) | undefined;
  let fail: ((err: Error) => void) | undefined;
  let pending: Promise<void> | undefined;
  const state = { calls: 0 };
  const durable = () => {
    state.calls++;
    pending ??= new Promise<void>((resolve, reject) => {
      open = resolve;
      fail = reject;
    });
    return pending;
  };
  const settle = (err?: Error) => {
    const [o, f] = [open, fail];
    pending = open = fail = undefined;
    if (err) f?.(err);
    else o?.();
  };
  return { state, durable, release: () => settle(), reject: (err: Error) => settle(err) };
}

async function start(t: TestContextLike, durable: () => Promise<void>) {
  const factory: PersistenceFactory = (c) => Object.assign(memoryPersistence(c), { durable });
  const broker = createBroker({ ...defaultBrokerConfig, port: 0, persistence: 'memory' }, { logger: captureLogger('broker').logger, persistenceFactory: factory });
  t.after(() => broker.close());
  await broker.start();
  return `mqtt://127.0.0.1:${broker.addresses()[0]!.port}`;
}

async function client(t: TestContextLike, url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  t.after(() => c.endAsync(true));
  return c;
}

/** A persistent session subscribed to `topic` that is offline while the test publishes. */
async function offlineSession(t: TestContextLike, url: string, topic: string): Promise<void> {
  const c = await client(t, url, { clientId: 'sink', clean: false });
  await c.subscribeAsync(topic, { qos: 1 });
  await c.endAsync();
}

/** Every packet `c` receives, in order: `publish <topic>` or the packet's command. */
function packetLog(c: MqttClient): string[] {
  const log: string[] = [];
  c.on('packetreceive', (p) => void log.push(p.cmd === 'publish' ? `publish ${p.topic}` : p.cmd));
  return log;
}

let probes = 0;
/**
 * The packets `c` (subscribed to `probe`) received before a probe message another client sends now. The
 * broker writes the probe to `c` after every acknowledgement it has written to `c` so far, and TCP keeps
 * the order: an acknowledgement that went out is in the list, with no waiting for one that must not.
 */
async function beforeProbe(t: TestContextLike, url: string, c: MqttClient, log: string[]): Promise<string[]> {
  const arrived = new Promise<void>((r) => c.on('message', (topic) => topic === 'probe' && r()));
  const prober = await client(t, url, { clientId: `prober-${++probes}` });
  await prober.publishAsync('probe', '', { qos: 0 });
  await arrived;
  return log.slice(0, log.indexOf('publish probe'));
}

describe('broker: acknowledge only what is durable', { timeout: 20_000 }, () => {
  it('holds each QoS 1 PUBACK until the message is queued for the offline session and durable() has settled, in publish order', async (t) => {
    const gate = gatedBarrier();
    const url = await start(t, gate.durable);
    await offlineSession(t, url, 'e');
    gate.release();
    const pub = await client(t, url, { clientId: 'pub' });
    const log = packetLog(pub);
    await pub.subscribeAsync('probe', { qos: 0 });
    const acked: number[] = [];
    const sends = [0, 1, 2].map((n) => pub.publishAsync('e', String(n), { qos: 1 }).then(() => void acked.push(n)));
    await waitFor(() => gate.state.calls >= 3, 5_000, 'durable() for each publish');
    assert.ok(!(await beforeProbe(t, url, pub, log)).includes('puback'), 'no PUBACK before the barrier');
    assert.deepEqual(acked, [], 'no PUBACK before the barrier');
    gate.release();
    await Promise.all(sends);
    assert.deepEqual(acked, [0, 1, 2], 'PUBACKs in publish order');
    const sink = await client(t, url, { clientId: 'sink', clean: false });
    const got: string[] = [];
    sink.on('message', (_t, p) => void got.push(p.toString()));
    await waitFor(() => got.length === 3, 5_000, 'the queued messages');
    assert.deepEqual(got, ['0', '1', '2']);
  });

  it('holds the QoS 2 PUBREC the same way; QoS 0 never waits', async (t) => {
    const gate = gatedBarrier();
    const url = await start(t, gate.durable);
    const pub = await client(t, url, { clientId: 'pub' });
    const log = packetLog(pub);
    await pub.subscribeAsync(['probe', 'q0'], { qos: 0 });
    const delivered = new Promise<void>((r) => pub.on('message', (topic) => topic === 'q0' && r()));
    await pub.publishAsync('q0', 'x', { qos: 0 });
    await delivered; // back from the broker: the publish pipeline, after which a barrier would run, is done
    assert.equal(gate.state.calls, 0, 'QoS 0: no barrier');
    let done = false;
    const sent = pub.publishAsync('q2', 'y', { qos: 2 }).then(() => void (done = true));
    await waitFor(() => gate.state.calls >= 1, 5_000, 'durable() for the QoS 2 publish');
    assert.ok(!(await beforeProbe(t, url, pub, log)).includes('pubrec'), 'no PUBREC before the barrier');
    assert.equal(done, false, 'no PUBREC (so no PUBCOMP) before the barrier');
    gate.release();
    await sent;
  });

  it('closes the connection without a PUBACK when the write fails; the publisher sends again and the message gets through', async (t) => {
    const gate = gatedBarrier();
    const url = await start(t, gate.durable);
    await offlineSession(t, url, 'e');
    gate.release();
    const pub = await client(t, url, { clientId: 'pub', reconnectPeriod: 50 });
    let acked = false;
    const sent = pub.publishAsync('e', 'once', { qos: 1 }).then(() => void (acked = true));
    await waitFor(() => gate.state.calls >= 1, 5_000, 'durable()');
    const closed = new Promise<void>((r) => pub.once('close', () => r()));
    gate.reject(new Error('disk full'));
    await closed;
    assert.equal(acked, false, 'no PUBACK for a message that was not written');
    // MQTT.js resends the unacknowledged PUBLISH after it reconnects; this time the write succeeds.
    await waitFor(() => gate.state.calls >= 2, 5_000, 'the resent publish');
    gate.release();
    await sent;
    const sink = await client(t, url, { clientId: 'sink', clean: false });
    const got: string[] = [];
    sink.on('message', (_t, p) => void got.push(p.toString()));
    await waitFor(() => got.length >= 1, 5_000, 'the message');
    assert.equal(got[0], 'once');
  });
});
