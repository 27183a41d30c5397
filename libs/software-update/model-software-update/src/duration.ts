// Go-style durations in config (`5s`, `1m30s`, `500ms`, `2h`), as Kanto's flags take them.
import { MAX_TIMER_MS } from '@ledge/util';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration. A bare number means seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (t === '' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return Math.round(total);
}

/** For config `validate`: a message when not a duration, or one too long for a timer. */
export function durationProblem(v: unknown): string | undefined {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) return 'must be a duration like 5s, 1m30s, 500ms';
  return ms <= MAX_TIMER_MS ? undefined : 'must be at most 596h (a longer timer would fire at once)';
}
