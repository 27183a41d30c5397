// The one-shot timer every part of the manager takes (phase and consent timeouts, throttled reports, the
// reboot delay): injected, so unit tests run on fake time (testing/fake-time.ts) and never sleep.
import { MAX_TIMER_MS } from '@ledge/util';

/** Calls `fn` once after `ms`; the returned function cancels it (idempotent). */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const timerSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
  return () => clearTimeout(t);
};
