// A clock and scheduler the test drives: time moves only on advance(), timers fire in due order as it
// passes them, and promise chains run between them. Nothing waits on the wall clock.
import type { Scheduler } from '../scheduler';

export interface FakeTime {
  /** Epoch ms, for the manager's `now`. */
  now(): number;
  readonly scheduler: Scheduler;
  /** Moves the clock by `ms`, firing every timer that falls due on the way (in due order). */
  advance(ms: number): Promise<void>;
  /** Lets promise chains (and the I/O they started) run for a few event-loop turns. */
  settle(): Promise<void>;
  /** Timers not fired or cancelled yet. */
  pending(): number;
}

interface Entry {
  readonly seq: number;
  readonly due: number;
  readonly fn: () => void;
}

export function createFakeTime(startMs = 1_700_000_000_000): FakeTime {
  let now = startMs;
  let seq = 0;
  const timers = new Set<Entry>();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const settle = async () => {
    for (let i = 0; i < 20; i++) await turn();
  };
  return {
    now: () => now,
    scheduler: {
      setTimeout(fn, ms) {
        const e: Entry = { seq: seq++, due: now + Math.max(0, ms), fn };
        timers.add(e);
        return { cancel: () => void timers.delete(e) };
      },
    },
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const next = [...timers].filter((e) => e.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
        if (next === undefined) break;
        timers.delete(next);
        now = next.due;
        next.fn();
        await settle();
      }
      now = target;
      await settle();
    },
    settle,
    pending: () => timers.size,
  };
}
