import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSubscriptionTracker } from './subscriptions';

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
