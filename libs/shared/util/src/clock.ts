// The clock and timers every engine takes from outside (STYLE.md "Engines take their I/O", issue 22): the
// system ones by default, `createFakeTime` (@ledge/shared/util/testing) in unit tests, so heartbeats, probe
// intervals, phase timeouts and periods are tested without waiting for them.
import { MAX_TIMER_MS } from './timers';

export interface Clock {
  /** Wall clock, epoch ms: timestamps, ages, expiry. */
  now(): number;
  /** Monotonic ms (rates, pacing): never jumps with the wall clock. */
  monotonic(): number;
}

export interface Timer {
  /** Idempotent; a timer that already fired is left alone. */
  cancel(): void;
  /** The timer no longer keeps the process alive; returns the timer (like Node's `Timeout#unref`). */
  unref(): Timer;
}

/**
 * Delays are taken as at least 0 and at most MAX_TIMER_MS: a longer one waits MAX_TIMER_MS (Node would fire
 * it after 1 ms). Whether a timer keeps the process alive is the caller's choice (`unref()`).
 */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
  /** Runs `fn` after the current event-loop turn's I/O callbacks. */
  setImmediate(fn: () => void): Timer;
}

/** A delay a Node timer waits for as asked: [0, MAX_TIMER_MS]. */
export const timerDelay = (ms: number): number => Math.min(Math.max(0, ms), MAX_TIMER_MS);

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
});

// The globals are looked up per call, so node:test's mock.timers reaches code running on the defaults.
export const systemScheduler: Scheduler = Object.freeze({
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, timerDelay(ms));
    const timer: Timer = { cancel: () => clearTimeout(t), unref: () => (t.unref(), timer) };
    return timer;
  },
  setInterval(fn: () => void, ms: number): Timer {
    const t = setInterval(fn, timerDelay(ms));
    const timer: Timer = { cancel: () => clearInterval(t), unref: () => (t.unref(), timer) };
    return timer;
  },
  setImmediate(fn: () => void): Timer {
    const t = setImmediate(fn);
    const timer: Timer = { cancel: () => clearImmediate(t), unref: () => (t.unref(), timer) };
    return timer;
  },
});
