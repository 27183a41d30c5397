// The named time windows of integration tests, on fake time: a quiet window fails as soon as its probe sees
// the thing, passes after the whole window otherwise; randomPause takes the pause its input says;
// withDeadline passes the outcome on and rejects once the deadline passed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeTime } from './fake-time';
import { expectNothingFor, quietPeriod, randomPause, withDeadline } from './time-windows';

describe('time windows', () => {
  it('expectNothingFor passes only after the whole window when the probe sees nothing', async () => {
    const time = createFakeTime();
    let probes = 0;
    let done = false;
    const window = expectNothingFor(300, () => void probes++, 'a message', time).then(() => (done = true));
    await time.advance(299);
    assert.equal(done, false, 'still in the window');
    await time.advance(1);
    await window;
    assert.ok(probes >= 12, `probed along the window (${probes} times)`);
  });

  it('expectNothingFor fails as soon as the probe sees the thing, naming it and what was seen', async () => {
    const time = createFakeTime();
    const got: string[] = [];
    const window = expectNothingFor(1000, () => got.length > 0 && got, 'a redelivery', time);
    const failed = assert.rejects(window, { name: 'AssertionError', message: 'a redelivery within the 1000 ms quiet window: ["late"]' });
    await time.advance(100);
    got.push('late');
    await time.advance(25);
    await failed;
    await assert.rejects(expectNothingFor(10, () => true, 'an exit', time), { message: 'an exit within the 10 ms quiet window' });
  });

  it('quietPeriod waits its window and wants a reason', async () => {
    const time = createFakeTime();
    let done = false;
    const window = quietPeriod(2000, 'longer than a duplicate answer takes', time).then(() => (done = true));
    await time.advance(1999);
    assert.equal(done, false);
    await time.advance(1);
    await window;
    await assert.rejects(quietPeriod(10, ' ', time), TypeError);
  });

  it('randomPause pauses for min + random × (max − min) and says how long', async () => {
    const time = createFakeTime();
    const pause = randomPause(150, 500, () => 0.5, time);
    await time.advance(325);
    assert.equal(await pause, 325);
  });

  it('withDeadline passes the outcome on, or rejects naming what it waited for', async () => {
    const time = createFakeTime();
    assert.equal(await withDeadline(Promise.resolve(7), 100, 'seven', time), 7);
    await assert.rejects(withDeadline(Promise.reject(new Error('boom')), 100, 'boom', time), { message: 'boom' });
    const never = withDeadline(new Promise<number>(() => undefined), 100, 'the exit', time);
    const failed = assert.rejects(never, { message: 'timed out after 100 ms waiting for the exit' });
    await time.advance(100);
    await failed;
    assert.equal(time.pending(), 0, 'no timer left behind');
  });
});
