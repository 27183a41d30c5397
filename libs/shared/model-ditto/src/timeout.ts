// The Ditto `timeout` header as the connector's correlation cache reads it (§2.1.5).

export const DEFAULT_DITTO_TIMEOUT_MS = 60_000;
const ONE_HOUR_MS = 3_600_000;
const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1000, m: 60_000, h: ONE_HOUR_MS });

/**
 * "60s", "500ms", "2m", bare number = seconds → milliseconds. Absent, invalid or ≥ 1 h → 60 s;
 * zero → 0 (the caller must not cache it). Accepts a JSON number too, read as seconds.
 */
export function parseDittoTimeout(value: unknown): number {
  let ms: number | undefined;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) ms = value * 1000;
  } else if (typeof value === 'string') {
    const m = /^(\d{1,15})(ms|s|m|h)?$/.exec(value.trim());
    if (m !== null) ms = Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  }
  if (ms === undefined || ms >= ONE_HOUR_MS) return DEFAULT_DITTO_TIMEOUT_MS;
  return ms;
}
