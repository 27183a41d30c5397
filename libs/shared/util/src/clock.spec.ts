// The system scheduler: node:test's mock.timers reaches it (globals looked up per call), cancel stops a
// timer, a delay beyond what Node can wait is clamped rather than fired at once, unref is the caller's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock, systemScheduler } from './clock';
import { MAX_TIMER_MS } from './timers';

describe('systemScheduler', () => {
  it('runs on mocked timers: timeouts and intervals fire as mocked time passes; cancel stops them', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const seen: string[] = [];
    systemScheduler.setTimeout(() => seen.push('timeout'), 100);
    systemScheduler.setTimeout(() => seen.push('cancelled'), 100).cancel();
    const interval = systemScheduler.setInterval(() => seen.push('tick'), 40);
    t.mock.timers.tick(100);
    assert.deepEqual(seen, ['tick', 'tick', 'timeout']);
    interval.cancel();
    t.mock.timers.tick(1_000);
    assert.equal(seen.length, 3);
  });

  it('clamps a delay beyond MAX_TIMER_MS to it (Node would fire it after 1 ms)', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let fired = false;
    systemScheduler.setTimeout(() => (fired = true), MAX_TIMER_MS + 10);
    t.mock.timers.tick(MAX_TIMER_MS - 1);
    assert.equal(fired, false);
    t.mock.timers.tick(1);
    assert.equal(fired, true);
  });

  it('setImmediate runs after the current turn; unref returns the timer, cancel before it runs stops it', async () => {
    const seen: string[] = [];
    const a = systemScheduler.setImmediate(() => seen.push('a'));
    assert.equal(a.unref(), a);
    systemScheduler.setImmediate(() => seen.push('b')).cancel();
    assert.deepEqual(seen, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ['a']);
  });

  it('systemClock reads the wall and monotonic clocks', () => {
    const before = Date.now();
    const now = systemClock.now();
    assert.ok(now >= before && now <= Date.now());
    const m = systemClock.monotonic();
    assert.ok(systemClock.monotonic() >= m);
  });
});
