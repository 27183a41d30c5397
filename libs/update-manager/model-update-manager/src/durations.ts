// Kanto's update-manager durations are Go duration strings ("30s", "10m"; api/util ParseDuration). Kanto
// falls back to the default on a value it cannot read and logs a warning; Ledge refuses it at start (exit 2
// naming the key): a phase timeout that silently became 10 minutes is found only when an update hangs.
import { MAX_TIMER_MS, parseGoDuration } from '@ledge/shared/util';

/** Milliseconds, or a problem. `allowZero`: 0 means "off" for that key. */
export function parseDurationMs(v: unknown, allowZero: boolean): number | string {
  if (typeof v !== 'string') return 'not a duration string (e.g. "30s", "10m")';
  const ms = parseGoDuration(v);
  if (ms === undefined) return `'${v}' is not a duration (e.g. "30s", "10m", "1h30m")`;
  if (ms === 0 && !allowZero) return 'must be more than 0';
  if (ms > 0 && ms < 1) return 'must be at least 1ms';
  if (ms > MAX_TIMER_MS) return `longer than ${Math.floor(MAX_TIMER_MS / 86_400_000)} days`;
  return Math.round(ms);
}

/** A config field's validate: the problem or undefined. */
export const durationProblem =
  (allowZero: boolean) =>
  (v: unknown): string | undefined => {
    const r = parseDurationMs(v, allowZero);
    return typeof r === 'string' ? r : undefined;
  };
