// Timers the health monitor and waitHealthy take from outside (STYLE.md "Engines take their I/O"): the
// system's by default, a fake in unit tests (testing/fake-time.ts), so probe intervals, start periods
// and deadlines are tested without waiting for them.

export interface Timer {
  cancel(): void;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): Timer;
}

// The global is looked up per call, so node:test's mock.timers reaches code running on the default.
export const systemScheduler: Scheduler = Object.freeze({
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, ms);
    // A pending probe or deadline does not keep the daemon alive: close() ends them.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
});
