// The overflow rule, as README "Offline mode: the outbox" states it: "When a new message would exceed a
// bound, the oldest telemetry is dropped first; only when no telemetry is left do the oldest events /
// command responses go. A new telemetry message is itself dropped rather than displace an event.
// Messages in flight to the cloud are never dropped. Drops are journalled ... and counted per class."
// Through the whole bridge: local delivery → intake → outbox, with fakes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBridge, type Harness } from './testing/bridge-harness';

const payloads = (h: Harness) => h.outbox.peek().map((i) => i.message.payload.toString());
const dropped = (h: Harness) => {
  const c = h.bridge.counters();
  return { telemetry: c.droppedTelemetry, events: c.droppedEvents, responses: c.droppedResponses };
};

describe('bridge: outbox overflow rule', () => {
  it('beyond outboxMaxMessages: the oldest telemetry first, then the oldest events; new telemetry never displaces an event', async (t) => {
    const h = await startBridge(t, { outboxMaxMessages: 3 });
    for (const [topic, n] of [['e', 'e1'], ['t', 't2'], ['e', 'e3']]) await h.local.deliver(topic!, n!);
    assert.deepEqual(payloads(h), ['e1', 't2', 'e3']);

    assert.equal(await h.local.deliver('e', 'e4'), 'acked');
    assert.deepEqual(payloads(h), ['e1', 'e3', 'e4'], 'the telemetry went, though e1 is older');

    await h.local.deliver('e', 'e5');
    assert.deepEqual(payloads(h), ['e3', 'e4', 'e5'], 'no telemetry left: the oldest event went');

    assert.equal(await h.local.deliver('t', 't6'), 'acked', 'a drop is not a failure: no redelivery');
    assert.deepEqual(payloads(h), ['e3', 'e4', 'e5'], 'the new telemetry itself was dropped');

    assert.deepEqual(dropped(h), { telemetry: 2, events: 1, responses: 0 });
    assert.deepEqual(h.trace.filter((x) => x.startsWith('ack ')), ['ack 2', 'ack 1'], 'drops are journalled (t2, then e1)');
  });

  it('several telemetry messages go oldest first before any event', async (t) => {
    const h = await startBridge(t, { outboxMaxMessages: 4 });
    for (const [topic, n] of [['t', 't1'], ['e', 'e2'], ['telemetry', 't3'], ['t', 't4']]) await h.local.deliver(topic!, n!);
    await h.local.deliver('event', 'e5');
    await h.local.deliver('event', 'e6');
    assert.deepEqual(payloads(h), ['e2', 't4', 'e5', 'e6']);
    await h.local.deliver('e', 'e7');
    assert.deepEqual(payloads(h), ['e2', 'e5', 'e6', 'e7']);
    assert.deepEqual(dropped(h), { telemetry: 3, events: 0, responses: 0 });
  });

  it('beyond outboxMaxBytes (payload + topic): the same rule', async (t) => {
    const h = await startBridge(t, { outboxMaxBytes: 30 }); // each message: 1-byte topic + 9-byte payload
    for (const [topic, n] of [['e', 'event-001'], ['t', 'telem-002'], ['e', 'event-003']]) await h.local.deliver(topic!, n!);
    await h.local.deliver('e', 'event-004');
    assert.deepEqual(payloads(h), ['event-001', 'event-003', 'event-004']);
    await h.local.deliver('t', 'telem-005');
    assert.deepEqual(payloads(h), ['event-001', 'event-003', 'event-004']);
    await h.local.deliver('e', 'event-006');
    assert.deepEqual(payloads(h), ['event-003', 'event-004', 'event-006']);
    assert.deepEqual(dropped(h), { telemetry: 2, events: 1, responses: 0 });
  });

  it('command responses share the events lane and are counted apart', async (t) => {
    const h = await startBridge(t, { outboxMaxMessages: 2 });
    h.attach().connect();
    await h.time.settle();
    h.cloud.deliver('command//demo:device/req/req-1/switch', JSON.stringify({ topic: 'demo/device/things/live/messages/switch', headers: { 'correlation-id': 'c-1' }, path: '/inbox/messages/switch', value: 1 }));
    await h.time.settle();
    h.cloud.drop();
    await h.local.deliver('command//demo:device/res/req-1/200', JSON.stringify({ topic: 'demo/device/things/live/messages/switch', headers: { 'correlation-id': 'c-1' }, path: '/outbox/messages/switch', status: 200 }));
    await h.local.deliver('e', 'e2');
    await h.local.deliver('e', 'e3');
    assert.deepEqual(h.queued(), ['e', 'e'], 'the older response went first');
    assert.deepEqual(dropped(h), { telemetry: 0, events: 0, responses: 1 });
  });

  it('never drops a message in flight to the cloud; the new one goes instead', async (t) => {
    const h = await startBridge(t, { outboxMaxMessages: 2 });
    const cloud = h.attach();
    cloud.autoAck = false;
    cloud.connect();
    await h.local.deliver('t', 't1');
    await h.local.deliver('t', 't2');
    await h.time.settle();
    assert.equal(cloud.unacked, 2, 'both in flight');
    assert.equal(await h.local.deliver('e', 'e3'), 'acked');
    assert.deepEqual(payloads(h), ['t1', 't2']);
    assert.deepEqual(dropped(h), { telemetry: 0, events: 1, responses: 0 });
    cloud.ack();
    await h.time.settle();
    assert.deepEqual(payloads(h), []);
    assert.equal(h.bridge.counters().delivered, 2);
  });
});
