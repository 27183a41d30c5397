// Replay after (re)connect and its ordering guarantee (README "Replay and ordering guarantee"): the
// backlog drains oldest first at replayRate, at most maxInFlight unacknowledged; live messages form
// their own lane, go first and may overtake older backlog; each lane keeps arrival order. Fake time:
// the pacing is checked by moving the clock, never by waiting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboxMessage } from '@ledge/shared/data-access-store';
import { createFakeCloud } from './testing/fake-cloud';
import { startBridge } from './testing/bridge-harness';

const stored = (...names: string[]): OutboxMessage[] => names.map((n, i) => ({ topic: 'e', payload: Buffer.from(n), q: 1, c: 'e', ts: 1_000 + i }));

describe('bridge: backlog replay', () => {
  it('sends what an earlier run left, then what came while offline, oldest first', async (t) => {
    const h = await startBridge(t, { stored: stored('b0', 'b1', 'b2') });
    const cloud = h.attach();
    for (const n of ['o3', 'o4']) assert.equal(await h.local.deliver('e', n), 'acked');
    assert.deepEqual(h.sent('event/'), [], 'nothing while the cloud is down');
    cloud.connect();
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['b0', 'b1', 'b2', 'o3', 'o4']);
    assert.deepEqual(h.queued(), [], 'each left on its cloud PUBACK');
    assert.equal(h.bridge.counters().delivered, 5);
  });

  it('after a drop, the unacknowledged messages go again in their order, ahead of what came while offline', async (t) => {
    const h = await startBridge(t);
    const cloud = h.attach();
    cloud.autoAck = false;
    cloud.connect();
    for (const n of ['m1', 'm2', 'm3']) await h.local.deliver('e', n);
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['m1', 'm2', 'm3']);
    cloud.ack(1); // m1 delivered
    await h.time.settle();
    cloud.drop(); // m2, m3 fail
    await h.local.deliver('e', 'm4');
    await h.time.settle();
    cloud.autoAck = true;
    cloud.connect();
    await h.time.settle();
    assert.deepEqual(h.sent('event/').slice(3), ['m2', 'm3', 'm4']);
    assert.deepEqual(h.queued(), []);
  });

  it('a new cloud client after a provisioning change gets the backlog in order', async (t) => {
    const h = await startBridge(t);
    const first = h.attach();
    first.autoAck = false;
    first.connect();
    for (const n of ['m1', 'm2']) await h.local.deliver('e', n);
    await h.time.settle();
    await h.bridge.detachCloud('PROVISIONING_UPDATE');
    const second = h.attach(createFakeCloud());
    second.connect();
    await h.time.settle();
    assert.deepEqual(second.published.map((p) => p.payload), ['m1', 'm2']);
  });

  it('paces the backlog at replayRate; live messages overtake it; each lane stays in order', async (t) => {
    const h = await startBridge(t, { replayRate: 10, stored: stored('b0', 'b1', 'b2', 'b3') }); // one every 100 ms
    const cloud = h.attach();
    cloud.connect();
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['b0'], 'a burst of one, then the rate');
    await h.local.deliver('e', 'l0');
    await h.local.deliver('e', 'l1');
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['b0', 'l0', 'l1'], 'live is not rate limited and goes first');
    await h.time.advance(99);
    assert.equal(h.sent('event/').length, 3);
    await h.time.advance(1);
    assert.deepEqual(h.sent('event/'), ['b0', 'l0', 'l1', 'b1']);
    await h.time.advance(200);
    assert.deepEqual(h.sent('event/'), ['b0', 'l0', 'l1', 'b1', 'b2', 'b3']);
    assert.ok(h.time.pending() <= 1, 'no pacing timer left but the status heartbeat');
  });

  it('keeps at most maxInFlight messages waiting for a PUBACK', async (t) => {
    const h = await startBridge(t, { maxInFlight: 2, stored: stored('b0', 'b1', 'b2', 'b3') });
    const cloud = h.attach();
    cloud.autoAck = false;
    cloud.connect();
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['b0', 'b1']);
    cloud.ack(1);
    await h.time.settle();
    assert.deepEqual(h.sent('event/'), ['b0', 'b1', 'b2']);
    assert.equal(cloud.unacked, 2);
  });

  it('reports the outbox on the status heartbeat (depth, age by the injected clock)', async (t) => {
    const h = await startBridge(t, { statusIntervalMs: 10_000, stored: stored('b0') });
    const status = () => JSON.parse(h.local.bus.retained('edge/connection/remote/status')?.toString() ?? '{}') as { outbox?: { depth: number; oldestAgeMs: number } };
    const ts = 1_000;
    await h.time.advance(10_000);
    assert.deepEqual(status().outbox, { depth: 1, oldestAgeMs: h.time.clock.now() - ts });
  });
});
