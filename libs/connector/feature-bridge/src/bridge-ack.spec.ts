// Ack after persist (README "Offline mode: the outbox"): a local QoS 1 message is appended to the outbox
// and flushed before the local broker gets its PUBACK; a failed append sends no PUBACK, so the broker
// delivers the message again. Fakes only: in-memory outbox, gated local bus, fake cloud, fake time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBridge } from './testing/bridge-harness';

describe('bridge: ack after persist', () => {
  it('appends a QoS 1 event before its PUBACK, which waits for the flush', async (t) => {
    const h = await startBridge(t);
    h.outbox.holdFlushes(); // a slow disk
    const delivery = h.local.deliver('e', 'event 1');
    await h.time.settle();
    assert.deepEqual(h.queued(), ['e'], 'in the outbox');
    assert.deepEqual(h.local.pubacks, [], 'no PUBACK while the write is not durable');
    h.outbox.release();
    assert.equal(await delivery, 'acked');
    assert.deepEqual(h.trace, ['append e', 'flush', 'flushed', 'puback e']);
  });

  it('acknowledges several messages in receive order, each after its own append', async (t) => {
    const h = await startBridge(t);
    h.outbox.holdFlushes();
    const deliveries = ['e', 'event', 'telemetry'].map((topic) => h.local.deliver(topic, topic));
    await h.time.settle();
    assert.deepEqual(h.queued(), ['e', 'event', 'telemetry']);
    assert.deepEqual(h.local.pubacks, []);
    h.outbox.release();
    assert.deepEqual(await Promise.all(deliveries), ['acked', 'acked', 'acked']);
    assert.deepEqual(h.local.pubacks, ['e', 'event', 'telemetry']);
    const lastAppend = h.trace.lastIndexOf('append telemetry');
    assert.ok(h.trace.indexOf('puback e') > lastAppend && h.trace.indexOf('puback e') > h.trace.indexOf('flushed'));
  });

  it('a failed append: no PUBACK, nothing queued; the redelivery is persisted, acknowledged and counted', async (t) => {
    const h = await startBridge(t);
    h.outbox.failAppends(1);
    assert.equal(await h.local.deliver('e', 'event 1'), 'not acked');
    assert.deepEqual(h.queued(), []);
    assert.equal(h.bridge.counters().outboxDepth, 0);
    assert.deepEqual(h.local.pubacks, []);

    assert.deepEqual(await h.local.reconnect(), ['acked'], 'the broker delivers it again (dup)');
    assert.deepEqual(h.queued(), ['e']);
    assert.equal(h.outbox.peek()[0]!.message.payload.toString(), 'event 1');
    assert.equal(h.bridge.counters().duplicatesReceived, 1);
    assert.deepEqual(h.trace, ['append failed e', 'no puback e', 'append e', 'flush', 'flushed', 'puback e']);
  });

  it('a failed append also withholds the PUBACKs behind it; all come again, in order', async (t) => {
    const h = await startBridge(t);
    h.outbox.failAppends(1);
    const first = await Promise.all([h.local.deliver('e', 'one'), h.local.deliver('event', 'two')]);
    assert.deepEqual(first, ['not acked', 'not acked'], 'MQTT.js drops the connection: no PUBACK after the failure');
    assert.deepEqual(await h.local.reconnect(), ['acked', 'acked']);
    assert.deepEqual(h.local.pubacks, ['e', 'event']);
    // 'two' was persisted on the first delivery and again on the second: a duplicate, never a loss.
    assert.deepEqual(h.outbox.peek().map((i) => i.message.payload.toString()), ['two', 'one', 'two']);
  });

  it('sends to the cloud without waiting for the flush; the message leaves the outbox only on the cloud PUBACK', async (t) => {
    const h = await startBridge(t);
    const cloud = h.attach();
    cloud.autoAck = false;
    cloud.connect();
    h.outbox.holdFlushes();
    const delivery = h.local.deliver('e', 'event 1');
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['event 1'], 'published before the local PUBACK (issue 3)');
    assert.deepEqual(h.local.pubacks, []);
    h.outbox.release();
    assert.equal(await delivery, 'acked');
    assert.deepEqual(h.queued(), ['e'], 'still queued: no cloud PUBACK yet');
    cloud.ack();
    await h.time.settle();
    assert.deepEqual(h.queued(), []);
    assert.equal(h.bridge.counters().delivered, 1);
  });

  it('QoS 0 telemetry is at-most-once: never in the outbox; sent online, dropped and counted offline', async (t) => {
    const h = await startBridge(t);
    assert.equal(await h.local.deliver('t', 'offline', 0), 'not acked');
    const cloud = h.attach();
    cloud.connect();
    await h.local.deliver('t', 'online', 0);
    await h.time.settle();
    assert.deepEqual(h.sent('telemetry/'), ['online']);
    assert.deepEqual(h.trace.filter((x) => x.startsWith('append')), []);
    assert.equal(h.bridge.counters().droppedQos0Offline, 1);
  });

  it('builds its outbox from its settings (directory, fsync, a safety-net bound above its own rule)', async (t) => {
    const h = await startBridge(t, { outboxMaxMessages: 10, outboxMaxBytes: 1000, maxInFlight: 5 });
    const o = h.outboxOptions();
    assert.deepEqual({ dir: o?.dir, fsync: o?.fsync, maxItems: o?.maxItems, maxBytes: o?.maxBytes }, { dir: '/var/lib/ledge/connector/outbox', fsync: 'always', maxItems: 25, maxBytes: 2000 + 1024 * 1024 });
  });
});
