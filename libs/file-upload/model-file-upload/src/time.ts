// Times and durations of AutoUploadable: RFC 3339 strings (what Kanto's Go time.Time decodes) or epoch
// numbers (what Kanto's docs show ⚠ §6.2; seconds below 1e11, else milliseconds); Go-style durations.
import { parseGoDuration } from '@ledge/shared/util';

/** The largest epoch ms a Date holds (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/** Epoch ms of an RFC 3339 string or epoch number; undefined when unparsable or out of a Date's range. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    const ms = v < 1e11 ? v * 1000 : v;
    return ms <= MAX_DATE_MS ? ms : undefined; // beyond it a Date is invalid (year 275760)
  }
  if (typeof v !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v)) return undefined;
  const ms = Date.parse(v.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Go time.ParseDuration (util's parseGoDuration): `1h30m`, `30s`, `500ms`; ms; undefined when invalid or ≤ 0. */
export function parseDuration(v: string): number | undefined {
  const ms = parseGoDuration(v);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
