// The only waits on time itself an integration test may use (issue 22). Everything else waits on a
// condition with a deadline (waitFor, waitForLog, a SUBACK or PUBACK, a log line, a file). These name the
// three cases where time is the point, so that `grep` tells them from sleeps:
// - expectNothingFor / quietPeriod: a proof that something does NOT happen within a window. Prefer a
//   positive marker where the pipeline allows one (publish a sentinel after the message that must not
//   arrive, wait for the sentinel, then assert): that is an ordering proof, a window only a guess.
// - randomPause: pacing that is the test's input (a random moment for a SIGKILL), not a wait.
// - withDeadline: a bound on how long a promise may take (not a wait either: it ends when the promise does).
import { AssertionError } from 'node:assert';
import { systemClock, systemScheduler, type Clock, type Scheduler } from '../clock';

/** Where the windows take their time from: the system's, or createFakeTime's in the helpers' own spec. */
export interface WindowTime {
  readonly clock: Pick<Clock, 'monotonic'>;
  readonly scheduler: Pick<Scheduler, 'setTimeout'>;
}

const systemTime: WindowTime = { clock: systemClock, scheduler: systemScheduler };
const POLL_MS = 25;

const after = (ms: number, time: WindowTime) => new Promise<void>((resolve) => void time.scheduler.setTimeout(resolve, ms));

/**
 * A deliberate quiet window of `ms`, for a test that judges what did not happen itself afterwards (e.g.
 * every answer at once, to name every wrong one). `why` says what the window must be longer than; it is
 * for the reader and for grep. Where a probe is enough, use expectNothingFor.
 */
export async function quietPeriod(ms: number, why: string, time: WindowTime = systemTime): Promise<void> {
  if (why.trim() === '') throw new TypeError('quietPeriod: say why the window is as long as it is');
  await after(ms, time);
}

/**
 * Proves that something does not happen within `ms`: `probe` returns a truthy value (what it saw) once it
 * does. Probed every 25 ms (it fails as soon as the thing happens) and once more at the window's end.
 * `what` names the thing that must not happen: "a trigger after deactivate".
 */
export async function expectNothingFor(ms: number, probe: () => unknown, what: string, time: WindowTime = systemTime): Promise<void> {
  const end = time.clock.monotonic() + ms;
  for (;;) {
    const seen = await probe();
    if (seen) {
      const detail = seen === true ? '' : `: ${typeof seen === 'string' ? seen : JSON.stringify(seen)}`;
      throw new AssertionError({ message: `${what} within the ${ms} ms quiet window${detail}` });
    }
    const left = end - time.clock.monotonic();
    if (left <= 0) return;
    await after(Math.min(POLL_MS, left), time);
  }
}

/**
 * Pacing that is the test's input, not a wait: a random pause in [minMs, maxMs) (e.g. the moment of a
 * SIGKILL in a crash test). Returns the pause taken, for the test's diagnostics.
 */
export async function randomPause(minMs: number, maxMs: number, random: () => number = Math.random, time: WindowTime = systemTime): Promise<number> {
  const ms = minMs + random() * (maxMs - minMs);
  await after(ms, time);
  return ms;
}

/** `promise`'s outcome, or a rejection naming `what` once `ms` passed without one. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, time: Pick<WindowTime, 'scheduler'> = systemTime): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = time.scheduler.setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (err: unknown) => {
        timer.cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
