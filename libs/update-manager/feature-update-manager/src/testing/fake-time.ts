// Fake time for the manager's unit tests: `now()` and a one-shot `schedule` that fire only when the test
// advances the clock, in due order (timers set while firing included). No real sleeps.
import type { Schedule } from '../schedule';

export interface FakeTime {
  now(): number;
  readonly schedule: Schedule;
  /** Moves the clock forward, firing every timer due on the way. */
  advance(ms: number): void;
  /** Timers not yet fired or cancelled. */
  readonly pending: number;
}

export function createFakeTime(start = 1_765_098_000_000): FakeTime {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const schedule: Schedule = (fn, ms) => {
    const id = ++seq;
    timers.set(id, { at: t + Math.max(0, ms), fn });
    return () => void timers.delete(id);
  };
  return {
    now: () => t,
    schedule,
    advance(ms) {
      const target = t + ms;
      for (;;) {
        const due = [...timers].filter(([, x]) => x.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = target;
    },
    get pending() {
      return timers.size;
    },
  };
}
