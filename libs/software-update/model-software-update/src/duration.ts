// Go-style durations in config (`5s`, `1m30s`, `500ms`, `2h`), as Kanto's flags take them.
import { MAX_TIMER_MS, parseGoDuration } from '@ledge/shared/util';

/** Milliseconds, or undefined when `text` is not a duration. A bare number means seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const ms = /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : parseGoDuration(t);
  return ms === undefined ? undefined : Math.round(ms);
}

/** For config `validate`: a message when not a duration, or one too long for a timer. */
export function durationProblem(v: unknown): string | undefined {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) return 'must be a duration like 5s, 1m30s, 500ms';
  return ms <= MAX_TIMER_MS ? undefined : 'must be at most 596h (a longer timer would fire at once)';
}
