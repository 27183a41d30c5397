// The connector's clock and timers (STYLE.md "Engines take their I/O"): the system ones by default, fakes
// in unit tests, so the status heartbeat, replay pacing and correlation expiry are tested without waiting.

export interface Clock {
  /** Wall clock, epoch ms: message timestamps, status ages, correlation expiry (§2.1.5). */
  now(): number;
  /** Monotonic ms (replay pacing): never jumps with the wall clock. */
  monotonic(): number;
}

export interface Timer {
  cancel(): void;
  /** The timer no longer keeps the process alive. */
  unref(): void;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
  /** Runs `fn` after the current event-loop turn's I/O callbacks. */
  setImmediate(fn: () => void): Timer;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
});

// The globals are looked up per call, so node:test's mock.timers reaches code running on the defaults.
export const systemScheduler: Scheduler = Object.freeze({
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t), unref: () => void t.unref() };
  },
  setInterval(fn: () => void, ms: number): Timer {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t), unref: () => void t.unref() };
  },
  setImmediate(fn: () => void): Timer {
    const t = setImmediate(fn);
    return { cancel: () => clearImmediate(t), unref: () => void t.unref() };
  },
});
