// Acknowledge only what is durable (issue 17): the broker answers a QoS 1 PUBLISH (PUBACK) or QoS 2
// PUBLISH (PUBREC) only after the publish pipeline has queued it for every persistent session and the
// persistence's durable() barrier has settled. The barrier is a gate here, so the test decides when the
// write "completes"; the real disk persistence's barrier and a SIGKILL are in apps/ledge zero-loss specs.
// The PUBACK does not wait for the live deliveries: a subscriber that does not read holds up nobody's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { captureLogger, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { defaultBrokerConfig, type BrokerSettings } from './config';
import { createBroker } from './create-broker';
import { memoryPersistence, type PersistenceFactory } from './persistence';
import { raw } from './testing';

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

interface StartOptions {
  config?: Partial<BrokerSettings>;
  /** Changes the memory persistence before the broker uses it. */
  wrap?: (store: ReturnType<PersistenceFactory>) => void;
}

async function start(t: TestContextLike, durable: () => Promise<void>, o: StartOptions = {}) {
  const factory: PersistenceFactory = (c) => {
    const store = Object.assign(memoryPersistence(c), { durable });
    o.wrap?.(store);
    return store;
  };
  const broker = createBroker({ ...defaultBrokerConfig, port: 0, persistence: 'memory', ...o.config }, { logger: captureLogger('broker').logger, persistenceFactory: factory });
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

/** More than the kernel can buffer between the broker and a reader that never reads (send + receive buffer). */
function moreThanSocketBuffers(): number {
  const max = (file: string) => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2] ?? 4 << 20);
  return max('/proc/sys/net/ipv4/tcp_rmem') + max('/proc/sys/net/ipv4/tcp_wmem') + (1 << 20);
}

/** A raw MQTT 3.1.1 client that subscribes to `topic` at QoS 1 and then never reads its socket again. */
async function stuckSubscriber(t: TestContextLike, url: string, clientId: string, clean: boolean, topic: string): Promise<Socket> {
  const { port } = new URL(url);
  const socket = tcpConnect(Number(port), '127.0.0.1');
  t.after(() => void socket.destroy());
  let seen = Buffer.alloc(0);
  const suback = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      if (seen.includes(0x90)) resolve(); // CONNACK (0x20 0x02 …) then SUBACK (0x90 …)
    });
    socket.once('error', reject);
  });
  socket.write(Buffer.concat([raw.connect({ clientId, clean }), raw.subscribe(1, [[topic, 1]])]));
  await suback;
  socket.removeAllListeners('data');
  socket.pause();
  return socket;
}

describe('broker: the PUBACK waits for the journal, not for the live deliveries', { timeout: 60_000 }, () => {
  it('acknowledges a message whose deliveries cannot be written (subscribers that never read), only once durable() settles', async (t) => {
    const gate = gatedBarrier();
    const size = moreThanSocketBuffers();
    const url = await start(t, gate.durable, { config: { maxPacketSize: size + 1024 } });
    const durableReader = await stuckSubscriber(t, url, 'stuck-durable', false, 'big');
    const clean = await stuckSubscriber(t, url, 'stuck-clean', true, 'big');
    gate.release();
    const pub = await client(t, url, { clientId: 'pub' });
    const log = packetLog(pub);
    await pub.subscribeAsync('probe', { qos: 0 });
    let acked = false;
    const sent = pub.publishAsync('big', Buffer.alloc(size, 7), { qos: 1 }).then(() => void (acked = true));
    await waitFor(() => gate.state.calls >= 1, 20_000, 'durable() called once the message is queued');
    assert.ok(!(await beforeProbe(t, url, pub, log)).includes('puback'), 'no PUBACK before the barrier');
    assert.equal(acked, false);
    gate.release();
    await sent;
    // Neither delivery could have been written when the PUBACK came: the readers had read almost nothing
    // and the kernel buffers less than `size` between them and the broker. Once a reader reads, it gets it.
    assert.ok(clean.bytesRead < size && durableReader.bytesRead < size);
    let got = 0;
    clean.on('data', (d: Buffer) => void (got += d.length));
    clean.resume();
    await waitFor(() => got >= size, 20_000, 'the live delivery, once the clean subscriber reads');
    // The persistent session has the message queued: a new connection of it gets it from its queue.
    durableReader.destroy();
    const sink = await client(t, url, { clientId: 'stuck-durable', clean: false });
    const queued = new Promise<Buffer>((r) => sink.on('message', (_topic, p) => r(p)));
    assert.equal((await queued).length, size);
  });

  it('keeps PUBACKs in publish order when a later message is durable first', async (t) => {
    // The test's retained message's storeRetained is held back; the two after it are queued and durable first.
    let openRetained: (() => void) | undefined;
    const retainedGate = new Promise<void>((r) => (openRetained = r));
    let durableCalls = 0;
    const durable = () => {
      durableCalls++;
      return Promise.resolve();
    };
    const url = await start(t, durable, {
      wrap: (store) => {
        const s = store as unknown as { storeRetained: (p: { topic: string }) => Promise<void> };
        const storeRetained = s.storeRetained.bind(store);
        s.storeRetained = async (p) => {
          if (p.topic === 'e/retained') await retainedGate; // not the broker's own (health) messages
          return storeRetained(p);
        };
      },
    });
    await offlineSession(t, url, 'e/+');
    const pub = await client(t, url, { clientId: 'pub' });
    const log = packetLog(pub);
    const ackIds: number[] = [];
    pub.on('packetreceive', (p) => p.cmd === 'puback' && ackIds.push(p.messageId!));
    await pub.subscribeAsync('probe', { qos: 0 });
    const sentIds: number[] = [];
    pub.on('packetsend', (p) => p.cmd === 'publish' && p.qos === 1 && sentIds.push(p.messageId!));
    const sends = [
      pub.publishAsync('e/retained', 'r', { qos: 1, retain: true }),
      pub.publishAsync('e/a', 'a', { qos: 1 }),
      pub.publishAsync('e/b', 'b', { qos: 1 }),
    ];
    await waitFor(() => sentIds.length === 3, 5_000, 'three PUBLISHes sent');
    await waitFor(() => durableCalls >= 2, 5_000, 'the two later messages queued and durable');
    assert.ok(!(await beforeProbe(t, url, pub, log)).includes('puback'), 'no PUBACK while the first message is not stored');
    openRetained!();
    await Promise.all(sends);
    assert.deepEqual(ackIds, sentIds, 'PUBACKs in the order of the PUBLISHes');
  });
});
