import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSubscriptionTracker } from './subscriptions';
import { TypedEmitter } from './typed-emitter';

describe('createSubscriptionTracker', () => {
  it('counts references and asks for a SUBSCRIBE only when new, unconfirmed or upgraded', () => {
    const s = createSubscriptionTracker();
    assert.deepEqual(s.add(['a', 'b', 'a'], 0), ['a', 'b']);
    s.confirm('a');
    s.confirm('b');
    assert.deepEqual(s.add(['a'], 0), []);
    assert.deepEqual(s.add(['a'], 1), ['a'], 'higher QoS replaces the subscription');
    assert.equal(s.qosOf('a'), 1);
    s.confirm('a');
    // three references now (a filter listed twice in one call counts once)
    assert.deepEqual(s.remove(['a', 'a']), []);
    assert.deepEqual(s.remove(['a']), []);
    assert.deepEqual(s.remove(['a']), ['a']);
    assert.deepEqual(s.remove(['a']), []);
    assert.deepEqual(s.unconfirmed(), {});
    s.sessionLost();
    assert.deepEqual(s.unconfirmed(), { b: { qos: 0 } });
  });

  it('defers unsubscribes unless the filter was subscribed again', () => {
    const s = createSubscriptionTracker();
    s.deferUnsubscribe(['x', 'y']);
    s.add(['y'], 0);
    assert.deepEqual(s.takeDeferredUnsubscribes(), ['x']);
    assert.deepEqual(s.takeDeferredUnsubscribes(), []);
  });
});

describe('TypedEmitter', () => {
  it('isolates throwing and rejecting listeners and supports once/off', async () => {
    const errors: unknown[] = [];
    const e = new TypedEmitter<{ tick: [n: number] }>((err) => void errors.push(err));
    const got: number[] = [];
    e.on('tick', () => {
      throw new Error('sync');
    });
    e.on('tick', async () => {
      throw new Error('async');
    });
    e.once('tick', (n) => void got.push(-n));
    const l = (n: number) => void got.push(n);
    e.on('tick', l);
    assert.equal(e.emit('tick', 1), true);
    e.off('tick', l);
    e.emit('tick', 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [-1, 1]);
    assert.deepEqual(errors.map((x) => (x as Error).message).sort(), ['async', 'async', 'sync', 'sync']);
    assert.equal(e.listenerCount('tick'), 2);
  });
});
