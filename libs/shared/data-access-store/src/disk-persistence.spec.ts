import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { captureLogger, createTempDir, type TestContextLike } from '@ledge/shared/util/testing';
import { createDiskPersistence, type DiskPersistence, type DiskPersistenceOptions } from './disk-persistence';
import type { PersistedPacket } from './packet';

const broker = { id: 'broker-1' };

async function open(dir: string, opts: Partial<DiskPersistenceOptions> = {}, brokerId = broker.id) {
  const captured = captureLogger();
  const p = createDiskPersistence({ dir, logger: captured.logger, ...opts });
  await p.setup({ id: brokerId });
  return { p, lines: captured.lines };
}

async function reopen(t: TestContextLike, dir: string, first: DiskPersistence, opts: Partial<DiskPersistenceOptions> = {}) {
  await first.destroy();
  const next = await open(dir, opts);
  t.after(() => next.p.destroy());
  return next;
}

async function all<T = PersistedPacket>(stream: Readable): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x as T);
  return out;
}

let counter = 0;
const publish = (topic: string, payload: string, qos = 1, extra: Partial<PersistedPacket> = {}): PersistedPacket => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from(payload),
  qos,
  retain: false,
  dup: false,
  brokerId: broker.id,
  brokerCounter: ++counter,
  ...extra,
});

const payloads = (list: PersistedPacket[]) => list.map((p) => String(p.payload));

describe('createDiskPersistence', () => {
  it('has an async setup(), as aedes 1.x requires', () => {
    const p = createDiskPersistence({ dir: '/nonexistent', logger: captureLogger().logger });
    assert.equal(p.setup.constructor.name, 'AsyncFunction');
  });

  it('keeps retained messages across a restart; an empty payload deletes one [MQTT-3.3.1-10]', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    const binary = Buffer.from([0, 1, 2, 255, 254]);
    await p.storeRetained({ ...publish('a/b', ''), payload: binary, retain: true, qos: 0 });
    await p.storeRetained({ ...publish('a/c', 'c'), retain: true });
    await p.storeRetained({ ...publish('a/d', 'd'), retain: true });
    await p.storeRetained({ ...publish('a/d', ''), retain: true });
    const { p: q } = await reopen(t, dir, p);
    const list = await all(q.createRetainedStream('a/#'));
    assert.deepEqual(list.map((x) => x.topic).sort(), ['a/b', 'a/c']);
    assert.deepEqual(list.find((x) => x.topic === 'a/b')!.payload, binary);
    assert.ok(Buffer.isBuffer(list[0]!.payload));
    assert.equal(q.stats().retained, 2);
  });

  it('keeps the subscriptions of persistent sessions across a restart', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    const client = { id: 'sensor-1' };
    await p.addSubscriptions(client, [
      { topic: 'cmd/#', qos: 1, rh: 0, rap: false, nl: false },
      { topic: 'cfg', qos: 2, rh: 0, rap: true, nl: true, subscriptionIdentifier: 7 },
      { topic: 'chat', qos: 0, rh: 0, rap: false, nl: false },
      { topic: 'gone', qos: 1, rh: 0, rap: false, nl: false },
    ]);
    await p.removeSubscriptions(client, ['gone']);
    await p.addSubscriptions({ id: 'cleaned' }, [{ topic: 'x', qos: 1 }]);
    await p.cleanSubscriptions({ id: 'cleaned' });
    const { p: q } = await reopen(t, dir, p);
    assert.deepEqual(await q.subscriptionsByClient(client), [
      { topic: 'cmd/#', qos: 1, rh: 0, rap: false, nl: false },
      { topic: 'cfg', qos: 2, rh: 0, rap: true, nl: true, subscriptionIdentifier: 7 },
      { topic: 'chat', qos: 0, rh: 0, rap: false, nl: false },
    ]);
    assert.deepEqual((await q.subscriptionsByTopic('cmd/reboot')).map((s) => s.clientId), ['sensor-1']);
    assert.deepEqual(await q.countOffline(), { subsCount: 2, clientsCount: 1 });
    assert.deepEqual(await q.subscriptionsByClient({ id: 'cleaned' }), []);
    assert.deepEqual(await all(q.getClientList('cfg')), ['sensor-1']);
  });

  it('finds persistent subscriptions for topics with empty levels, which the index trie misses [MQTT-4.7.1-3]', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    t.after(() => p.destroy());
    const sub = (topic: string) => ({ topic, qos: 1, rh: 0, rap: false, nl: false });
    await p.addSubscriptions({ id: 'gateway' }, [sub('command//+/res/#'), sub('command///req/#')]);
    await p.addSubscriptions({ id: 'all' }, [sub('#'), sub('+/x')]);
    await p.addSubscriptions({ id: 'other' }, [sub('command//+/res'), sub('x/+/y')]);
    const found = async (topic: string) => (await p.subscriptionsByTopic(topic)).map((s) => `${s.clientId} ${s.topic}`).sort();
    assert.deepEqual(await found('command///res/4711/204'), ['all #', 'gateway command//+/res/#']);
    assert.deepEqual(await found('command///req/1/install'), ['all #', 'gateway command///req/#']);
    assert.deepEqual(await found('/x'), ['all #', 'all +/x']);
    assert.deepEqual(await found('x//y'), ['all #', 'other x/+/y']);
    assert.deepEqual(await found('$SYS//x'), [], '[MQTT-4.7.2-1] # and +/… do not match $ topics');
  });

  it('answers subscriptionsByTopic from a cache that every subscription change drops', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    t.after(() => p.destroy());
    const sub = (topic: string) => ({ topic, qos: 1, rh: 0, rap: false, nl: false });
    const found = async (topic: string) => (await p.subscriptionsByTopic(topic)).map((s) => `${s.clientId} ${s.topic}`).sort();
    assert.deepEqual(await found('a/b'), []);
    await p.addSubscriptions({ id: 'one' }, [sub('a/+')]);
    assert.deepEqual(await found('a/b'), ['one a/+']);
    assert.deepEqual(await found('a/b'), ['one a/+'], 'asked twice');
    await p.addSubscriptions({ id: 'two' }, [sub('a/b'), sub('c')]);
    assert.deepEqual(await found('a/b'), ['one a/+', 'two a/b']);
    await p.removeSubscriptions({ id: 'one' }, ['a/+']);
    assert.deepEqual(await found('a/b'), ['two a/b']);
    await p.cleanSubscriptions({ id: 'nobody' }); // a clean-session CONNECT of a client without any
    assert.deepEqual(await found('a/b'), ['two a/b']);
    await p.cleanSubscriptions({ id: 'two' });
    assert.deepEqual(await found('a/b'), []);
    assert.deepEqual(await found('c'), []);
  });

  it('keeps an offline client’s QoS 1/2 queue, in order, with messageIds and PUBRELs', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    const client = { id: 'offline' };
    const sent = Array.from({ length: 6 }, (_, i) => publish('t', `m${i}`, i === 5 ? 2 : 1));
    for (const pkt of sent) await p.outgoingEnqueueCombi([{ clientId: client.id }, { clientId: 'other' }], pkt);
    await p.outgoingUpdate(client, { ...sent[0]!, messageId: 11 }); // in flight when the broker stopped
    await p.outgoingClearMessageId(client, { messageId: 11 }); // m0 acknowledged
    await p.outgoingUpdate(client, { ...sent[1]!, messageId: 12 });
    await p.outgoingUpdate(client, { ...sent[5]!, messageId: 15 });
    await p.outgoingUpdate(client, { cmd: 'pubrel', messageId: 15 }); // PUBREC received for m5
    const { p: q } = await reopen(t, dir, p);
    const queue = await all(q.outgoingStream(client));
    assert.deepEqual(payloads(queue.slice(0, 4)), ['m1', 'm2', 'm3', 'm4']);
    assert.equal(queue[0]!.messageId, 12);
    assert.equal(queue[1]!.messageId, undefined);
    assert.deepEqual(queue[4], { cmd: 'pubrel', messageId: 15 });
    assert.equal((await all(q.outgoingStream({ id: 'other' }))).length, 6, 'the other client’s copies are untouched');
    // the restarted store goes on where it stopped
    await q.outgoingClearMessageId(client, { messageId: 12 });
    await q.outgoingEnqueue({ clientId: client.id }, publish('t', 'm6'));
    const after = await all(q.outgoingStream(client));
    assert.deepEqual(payloads(after.filter((x) => x.cmd === 'publish')), ['m2', 'm3', 'm4', 'm6']);
  });

  it('never queues QoS 0 messages', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    t.after(() => p.destroy());
    await p.outgoingEnqueueCombi([{ clientId: 'c' }], publish('t', 'q0', 0));
    assert.deepEqual(await all(p.outgoingStream({ id: 'c' })), []);
    assert.equal(p.stats().queued, 0);
  });

  it('keeps inbound QoS 2 packets awaiting PUBREL across a restart', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    const client = { id: 'pub' };
    await p.incomingStorePacket(client, { ...publish('in', 'a', 2), messageId: 1 });
    await p.incomingStorePacket(client, { ...publish('in', 'b', 2), messageId: 2 });
    await p.incomingDelPacket(client, { messageId: 1 });
    await p.incomingStorePacket({ id: 'clean' }, { ...publish('in', 'c', 2), messageId: 3 });
    await p.cleanIncoming({ id: 'clean' });
    const { p: q } = await reopen(t, dir, p);
    assert.equal(String((await q.incomingGetPacket(client, { messageId: 2 })).payload), 'b');
    await assert.rejects(q.incomingGetPacket(client, { messageId: 1 }), { code: 'LEDGE_STORE_NO_SUCH_PACKET', message: 'no such packet' });
    await assert.rejects(q.incomingGetPacket({ id: 'clean' }, { messageId: 3 }), { code: 'LEDGE_STORE_NO_SUCH_PACKET' });
    assert.equal(q.stats().incoming, 1);
  });

  it('keeps wills with the id of the broker that stored them, so a new broker publishes them', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    const will: PersistedPacket = { topic: 'status/dev1', payload: Buffer.from('offline'), qos: 1, retain: true };
    await p.putWill({ id: 'dev1' }, will);
    assert.equal(will.brokerId, 'broker-1');
    await p.putWill({ id: 'dev2' }, { topic: 'status/dev2', payload: Buffer.from('offline'), qos: 0, retain: false });
    await p.delWill({ id: 'dev2' });
    await p.destroy();
    const { p: q } = await open(dir, {}, 'broker-2'); // aedes picks a new broker id on every start
    t.after(() => q.destroy());
    const alive = { 'broker-2': Date.now() };
    const wills = await all(q.streamWill(alive));
    assert.deepEqual(wills, [{ ...will, brokerId: 'broker-1', clientId: 'dev1' }]);
    assert.deepEqual(await q.getWill({ id: 'dev1' }), wills[0]);
    assert.equal(await q.getWill({ id: 'dev2' }), undefined);
  });

  it('recovers from a torn journal tail (power cut mid-write) without crashing', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    for (let i = 0; i < 20; i++) await p.outgoingEnqueue({ clientId: 'c' }, publish('t', `m${i}`));
    await p.destroy();
    const seg = readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!;
    const path = join(dir, seg);
    truncateSync(path, statSync(path).size - 5);
    const { p: q, lines } = await open(dir);
    t.after(() => q.destroy());
    assert.deepEqual(payloads(await all(q.outgoingStream({ id: 'c' }))), Array.from({ length: 19 }, (_, i) => `m${i}`));
    assert.ok(lines.some((l) => l['level'] === 'warn' && l['code'] === 'LEDGE_STORE_CORRUPT_RECORD'));
    await q.outgoingEnqueue({ clientId: 'c' }, publish('t', 'after'));
    assert.equal(q.stats().queued, 20);
  });

  it('finds everything after the process died without destroy() (write-behind reached the file)', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir, { fsync: 'never' });
    await p.storeRetained({ ...publish('r', 'kept'), retain: true });
    await p.outgoingEnqueue({ clientId: 'c' }, publish('t', 'queued'));
    await p.flush(); // 'never' still writes within one event-loop turn; flush() waits for that
    const { p: q } = await open(dir); // p is abandoned, as by a crash
    t.after(() => q.destroy());
    assert.equal(q.stats().retained, 1);
    assert.deepEqual(payloads(await all(q.outgoingStream({ id: 'c' }))), ['queued']);
  });

  it('keeps the state through a compaction', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir, { maxSegmentBytes: 4096 });
    const client = { id: 'c' };
    await p.addSubscriptions(client, [{ topic: 'a/#', qos: 1 }]);
    for (let i = 0; i < 200; i++) {
      await p.storeRetained({ ...publish(`r/${i % 5}`, `v${i}`), retain: true });
      const pkt = publish('a/x', `m${i}`);
      await p.outgoingEnqueue({ clientId: client.id }, pkt);
      if (i % 4 !== 3) {
        // delivered and acknowledged, as for an online client
        await p.outgoingUpdate(client, { ...pkt, messageId: 1 + (i % 100) });
        await p.outgoingClearMessageId(client, { messageId: 1 + (i % 100) });
      }
    }
    await p.putWill(client, { topic: 'will', payload: Buffer.from('w'), qos: 1, retain: false });
    const before = { queue: payloads(await all(p.outgoingStream(client))), stats: p.stats() };
    await p.compact();
    await p.outgoingEnqueue({ clientId: client.id }, publish('a/x', 'after-compaction'));
    assert.equal(p.stats().journal.compactions, 1);
    const { p: q } = await reopen(t, dir, p);
    assert.deepEqual(payloads(await all(q.outgoingStream(client))), [...before.queue, 'after-compaction']);
    const { journal: _j1, ...s1 } = before.stats;
    const { journal: _j2, ...s2 } = q.stats();
    assert.deepEqual({ ...s2, queued: s2.queued - 1, queuedBytes: 0 }, { ...s1, queuedBytes: 0 });
    assert.deepEqual((await all(q.createRetainedStream('r/+'))).map((x) => String(x.payload)).sort(), ['v195', 'v196', 'v197', 'v198', 'v199']);
    assert.equal((await q.getWill(client))?.topic, 'will');
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.snap')));
  });

  it('overflow: drops the client’s OLDEST queued message, counts it, warns once, and the drop is durable', async (t) => {
    const dir = createTempDir(t);
    const { p, lines } = await open(dir, { maxQueuedPerClient: 3 });
    for (let i = 0; i < 5; i++) await p.outgoingEnqueueCombi([{ clientId: 'slow' }, { clientId: 'other' }], publish('t', `m${i}`));
    assert.deepEqual(payloads(await all(p.outgoingStream({ id: 'slow' }))), ['m2', 'm3', 'm4']);
    assert.deepEqual(payloads(await all(p.outgoingStream({ id: 'other' }))), ['m2', 'm3', 'm4']);
    assert.equal(p.stats().dropped, 4);
    assert.equal(p.stats().queued, 6);
    const warnings = lines.filter((l) => l['code'] === 'LEDGE_STORE_QUEUE_FULL');
    assert.equal(warnings.length, 1, 'rate-limited');
    assert.equal(warnings[0]!['level'], 'warn');
    const { p: q } = await reopen(t, dir, p, { maxQueuedPerClient: 100 });
    assert.deepEqual(payloads(await all(q.outgoingStream({ id: 'slow' }))), ['m2', 'm3', 'm4'], 'replay does not resurrect drops');
  });

  it('overflow: over maxQueuedBytes drops the oldest queued message of the whole store, never a PUBREL', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir, { maxQueuedBytes: 30 }); // each message is 't' + 9 bytes = 10 bytes
    t.after(() => p.destroy());
    const first = publish('t', 'stale-000');
    await p.outgoingEnqueue({ clientId: 'stale' }, first);
    await p.outgoingUpdate({ id: 'stale' }, { ...first, messageId: 1 });
    await p.outgoingUpdate({ id: 'stale' }, { cmd: 'pubrel', messageId: 1 });
    await p.outgoingEnqueue({ clientId: 'stale' }, publish('t', 'stale-001'));
    await p.outgoingEnqueue({ clientId: 'stale' }, publish('t', 'stale-002'));
    await p.outgoingEnqueue({ clientId: 'stale' }, publish('t', 'stale-003'));
    await p.outgoingEnqueue({ clientId: 'live' }, publish('t', 'live-0000'));
    assert.deepEqual(payloads(await all(p.outgoingStream({ id: 'stale' }))), ['undefined', 'stale-002', 'stale-003']);
    assert.deepEqual(payloads(await all(p.outgoingStream({ id: 'live' }))), ['live-0000']);
    assert.equal(p.stats().queuedBytes, 30);
    assert.equal(p.stats().dropped, 1);
  });

  it('with fsync always, every call resolves only once its change is fdatasync’ed', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir, { fsync: 'always' });
    t.after(() => p.destroy());
    await Promise.all(Array.from({ length: 50 }, (_, i) => p.outgoingEnqueue({ clientId: 'c' }, publish('t', `m${i}`))));
    const j = p.stats().journal;
    assert.equal(j.synced, j.appended);
    assert.equal(j.appended, 50);
  });

  it('writes nothing for the no-op calls aedes makes on every connect', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    t.after(() => p.destroy());
    const c = { id: 'clean-client' };
    await p.cleanSubscriptions(c);
    await p.cleanIncoming(c);
    await p.delWill(c);
    await p.removeSubscriptions(c, ['x']);
    await p.storeRetained({ ...publish('nothing', ''), retain: true });
    assert.equal(p.stats().journal.appended, 0);
  });

  it('the queue stream reads the queue as it is: a message acknowledged or dropped after the stream was opened is skipped, not handed to aedes to fail on', async (t) => {
    const dir = createTempDir(t);
    const { p } = await open(dir);
    t.after(() => p.destroy());
    const sent = ['m0', 'm1', 'm2'].map((m) => publish('t', m));
    for (const pkt of sent) await p.outgoingEnqueue({ clientId: 'c' }, pkt);
    const stream = p.outgoingStream({ id: 'c' });
    // m1 goes out live and is acknowledged while the stored queue is being sent
    await p.outgoingUpdate({ id: 'c' }, { ...sent[1]!, messageId: 7 });
    await p.outgoingClearMessageId({ id: 'c' }, { messageId: 7 });
    assert.deepEqual(payloads(await all(stream)), ['m0', 'm2']);
  });

  it('rejects calls before setup() and after destroy(); destroy() is idempotent', async (t) => {
    const dir = createTempDir(t);
    const p = createDiskPersistence({ dir, logger: captureLogger().logger });
    await assert.rejects(p.storeRetained(publish('a', 'b')), { code: 'LEDGE_STORE_NOT_OPEN' });
    await p.setup(broker);
    await Promise.all([p.destroy(), p.destroy()]);
    await assert.rejects(p.outgoingEnqueue({ clientId: 'c' }, publish('a', 'b')), { code: 'LEDGE_STORE_CLOSED' });
    await assert.rejects(p.setup(broker), { code: 'LEDGE_STORE_CLOSED' });
    assert.throws(() => createDiskPersistence({ dir, logger: captureLogger().logger, maxQueuedPerClient: -1 }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
  });
});
