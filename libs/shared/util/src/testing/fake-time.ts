// A clock and scheduler the test drives (issue 22: the one fake time): time moves only on advance(), timers
// fire in due order as it passes them, with promise chains let run between them; immediates run on
// settle(). Delays are taken as systemScheduler takes them ([0, MAX_TIMER_MS]). Nothing waits on the wall
// clock.
import { timerDelay, type Clock, type Scheduler, type Timer } from '../clock';

export interface FakeTime {
  /** `now()` starts at `startMs`, `monotonic()` at 0; both move only on advance(). */
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Moves both clocks by `ms`, firing every timer that falls due on the way (in due order), settling after each. */
  advance(ms: number): Promise<void>;
  /** Lets promises, microtasks and fake immediates run until nothing is left to do (bounded). */
  settle(): Promise<void>;
  /** Timers and intervals not fired (intervals: not cancelled) yet. */
  pending(): number;
}

interface Entry {
  readonly seq: number;
  due: number;
  readonly every: number | undefined;
  readonly fn: () => void;
  cancelled: boolean;
}

export function createFakeTime(startMs = 1_700_000_000_000): FakeTime {
  let now = startMs;
  let seq = 0;
  const timers = new Set<Entry>();
  const immediates: Entry[] = [];
  const handle = (e: Entry, owner: Set<Entry> | undefined): Timer => {
    const timer: Timer = {
      cancel() {
        e.cancelled = true;
        owner?.delete(e);
      },
      unref: () => timer,
    };
    return timer;
  };
  const add = (fn: () => void, ms: number, every?: number): Timer => {
    const e: Entry = { seq: seq++, due: now + timerDelay(ms), every, fn, cancelled: false };
    timers.add(e);
    return handle(e, timers);
  };
  // A real turn of the event loop (not a wait): lets microtasks and promise chains run.
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  async function settle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await turn();
      const batch = immediates.splice(0);
      for (const e of batch) if (!e.cancelled) e.fn();
      if (batch.length === 0 && i >= 3) {
        await turn();
        if (immediates.length === 0) return;
      }
    }
  }

  return {
    clock: { now: () => now, monotonic: () => now - startMs },
    scheduler: {
      setTimeout: (fn, ms) => add(fn, ms),
      setInterval: (fn, ms) => add(fn, ms, Math.max(1, timerDelay(ms))),
      setImmediate(fn) {
        const e: Entry = { seq: seq++, due: now, every: undefined, fn, cancelled: false };
        immediates.push(e);
        return handle(e, undefined);
      },
    },
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const next = [...timers].filter((e) => e.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
        if (next === undefined) break;
        now = next.due;
        if (next.every === undefined) timers.delete(next);
        else next.due += next.every;
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
