// The fake time every engine's unit tests drive: timers fire in due order as advance() passes them, with
// promise chains run between them; intervals repeat; cancel and pending; immediates run on settle().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TIMER_MS } from '../timers';
import { createFakeTime } from './fake-time';

describe('createFakeTime', () => {
  it('fires timers in due order (set order on a tie), moving the clocks to each due time', async () => {
    const time = createFakeTime(1_000);
    const fired: [string, number, number][] = [];
    const at = (name: string) => () => void fired.push([name, time.clock.now(), time.clock.monotonic()]);
    time.scheduler.setTimeout(at('c'), 30);
    time.scheduler.setTimeout(at('a'), 10);
    time.scheduler.setTimeout(at('b1'), 20);
    time.scheduler.setTimeout(at('b2'), 20);
    await time.advance(25);
    assert.deepEqual(fired, [['a', 1_010, 10], ['b1', 1_020, 20], ['b2', 1_020, 20]]);
    assert.equal(time.clock.now(), 1_025, 'the clock ends at the target');
    await time.advance(5);
    assert.deepEqual(fired.at(-1), ['c', 1_030, 30], 'due exactly at the target fires');
    assert.equal(time.pending(), 0);
  });

  it('a timer set while firing, and the promise chain a timer starts, run within the same advance', async () => {
    const time = createFakeTime();
    const seen: string[] = [];
    time.scheduler.setTimeout(() => {
      void Promise.resolve().then(() => seen.push('chain'));
      time.scheduler.setTimeout(() => seen.push('nested'), 5);
    }, 10);
    time.scheduler.setTimeout(() => seen.push('later'), 12);
    await time.advance(20);
    assert.deepEqual(seen, ['chain', 'later', 'nested'], 'the chain ran before the next timer; the nested timer fired at 15');
  });

  it('repeats an interval every period until cancelled', async () => {
    const time = createFakeTime();
    const ticks: number[] = [];
    const t0 = time.clock.now();
    const interval = time.scheduler.setInterval(() => ticks.push(time.clock.now() - t0), 100);
    await time.advance(350);
    assert.deepEqual(ticks, [100, 200, 300]);
    assert.equal(time.pending(), 1, 'an interval stays pending');
    interval.cancel();
    await time.advance(1_000);
    assert.deepEqual(ticks, [100, 200, 300]);
    assert.equal(time.pending(), 0);
  });

  it('a cancelled timer never fires; cancel is idempotent and unref returns the timer', async () => {
    const time = createFakeTime();
    let fired = 0;
    const t = time.scheduler.setTimeout(() => fired++, 10);
    assert.equal(t.unref(), t);
    assert.equal(time.pending(), 1);
    t.cancel();
    t.cancel();
    assert.equal(time.pending(), 0);
    await time.advance(100);
    assert.equal(fired, 0);
  });

  it('runs immediates on settle, not before, and not a cancelled one', async () => {
    const time = createFakeTime();
    const seen: string[] = [];
    time.scheduler.setImmediate(() => seen.push('one'));
    time.scheduler.setImmediate(() => seen.push('cancelled')).cancel();
    time.scheduler.setImmediate(() => time.scheduler.setImmediate(() => seen.push('chained')));
    assert.deepEqual(seen, []);
    assert.equal(time.pending(), 0, 'immediates are not pending timers');
    await time.settle();
    assert.deepEqual(seen, ['one', 'chained']);
    assert.equal(time.clock.now(), 1_700_000_000_000, 'settle does not move the clock');
  });

  it('takes delays as systemScheduler does: below 0 as 0, above MAX_TIMER_MS as MAX_TIMER_MS', async () => {
    const time = createFakeTime();
    const seen: string[] = [];
    time.scheduler.setTimeout(() => seen.push('negative'), -5);
    time.scheduler.setTimeout(() => seen.push('huge'), MAX_TIMER_MS * 2);
    await time.advance(0);
    assert.deepEqual(seen, ['negative']);
    await time.advance(MAX_TIMER_MS - 1);
    assert.deepEqual(seen, ['negative']);
    await time.advance(1);
    assert.deepEqual(seen, ['negative', 'huge']);
  });
});
