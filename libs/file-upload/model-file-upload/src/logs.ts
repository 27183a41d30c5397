// The `Logs` feature (issue 21, docs/mqtt-api.md "Logs"): a Ledge feature of the gateway thing that uploads
// the journal of the Ledge apps and the containers' logs for a time window through the upload providers,
// and answers a short tail inline. Requests are untrusted: every field is checked here, with the reason in the 400. Pure.
import { parameterInvalidError } from './errors';
import { uploadOptionsOf, type UploadOptions } from './operations';
import { parseTime } from './time';

export const LOGS_FEATURE_ID = 'Logs';
export const LOGS_DEFINITION = 'org.eclipse.ledge:Logs:1.0.0';

export const LOG_LEVELS = Object.freeze({ trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const);
export type LogLevel = keyof typeof LOG_LEVELS;

/** The longest window an upload may ask for, and the most lines per app. */
export const LOGS_LIMITS = Object.freeze({
  windowMs: 31 * 24 * 3_600_000,
  lines: 1_000_000,
  grepChars: 256,
  tailLines: 500,
  tailBytes: 64 * 1024,
  containers: 64,
  containerRefChars: 256,
  /** Bytes of containers' log lines in one archive. */
  containerBytes: 64 * 1024 * 1024,
});

export interface LogsUploadRequest {
  readonly correlationId: string;
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly apps: readonly string[];
  /** Container names or IDs whose json-file logs are asked of container management. */
  readonly containers: readonly string[];
  /** Lowest level kept; undefined: every line. */
  readonly level: LogLevel | undefined;
  /** A literal substring a line must hold (not a pattern: a request cannot make the gateway backtrack). */
  readonly grep: string | undefined;
  /** The last this many lines of each app in the window. */
  readonly lines: number;
  readonly options: UploadOptions;
}

/** The last lines of one app, or of one container (exactly one of the two). */
export type LogsTailRequest = { readonly app: string; readonly container?: undefined; readonly lines: number } | { readonly container: string; readonly app?: undefined; readonly lines: number };

function object(op: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw parameterInvalidError(`${op}: the value must be a JSON object`);
  return v as Record<string, unknown>;
}

function count(op: string, o: Record<string, unknown>, key: string, dflt: number, max: number): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) throw parameterInvalidError(`${op}: '${key}' must be a whole number from 1 to ${max}`, { key });
  return v;
}

function appOf(op: string, v: unknown, known: readonly string[]): string {
  if (typeof v !== 'string' || !known.includes(v)) throw parameterInvalidError(`${op}: unknown app ${JSON.stringify(v)} (apps: ${known.join(', ')})`, { key: 'apps' });
  return v;
}

export function parseLogsUpload(value: unknown, nowMs: number, knownApps: readonly string[]): LogsUploadRequest {
  const op = 'upload';
  const o = object(op, value);
  const cid = o['correlationId'];
  if (typeof cid !== 'string' || cid === '' || cid.length > 256) throw parameterInvalidError(`${op}: 'correlationId' is required (a string of at most 256 characters)`, { key: 'correlationId' });
  const time = (key: 'since' | 'until', dflt: number) => {
    if (o[key] === undefined || o[key] === null) return dflt;
    const ms = parseTime(o[key]);
    if (ms === undefined) throw parameterInvalidError(`${op}: '${key}' must be an RFC 3339 time or Unix seconds`, { key });
    return ms;
  };
  const untilMs = time('until', nowMs);
  const sinceMs = time('since', untilMs - 3_600_000);
  if (sinceMs > untilMs) throw parameterInvalidError(`${op}: 'since' is after 'until'`, { key: 'since' });
  if (untilMs - sinceMs > LOGS_LIMITS.windowMs) throw parameterInvalidError(`${op}: the window is longer than 31 days`, { key: 'since' });
  let containers: string[] = [];
  if (o['containers'] !== undefined && o['containers'] !== null) {
    const c = o['containers'];
    const ok = Array.isArray(c) && c.length <= LOGS_LIMITS.containers && c.every((r) => typeof r === 'string' && r !== '' && r.length <= LOGS_LIMITS.containerRefChars);
    if (!ok) throw parameterInvalidError(`${op}: 'containers' must be an array of at most ${LOGS_LIMITS.containers} container names or IDs`, { key: 'containers' });
    containers = [...new Set(c as string[])];
  }
  // No `apps`: every app, unless only containers were asked for.
  let apps: string[] = containers.length > 0 ? [] : [...knownApps];
  if (o['apps'] !== undefined && o['apps'] !== null) {
    if (!Array.isArray(o['apps']) || o['apps'].length === 0) throw parameterInvalidError(`${op}: 'apps' must be a non-empty array of app names`, { key: 'apps' });
    apps = [...new Set(o['apps'].map((a) => appOf(op, a, knownApps)))];
  }
  const level = o['level'];
  if (level !== undefined && level !== null && (typeof level !== 'string' || !(level in LOG_LEVELS))) throw parameterInvalidError(`${op}: 'level' must be one of ${Object.keys(LOG_LEVELS).join(', ')}`, { key: 'level' });
  const grep = o['grep'];
  if (grep !== undefined && grep !== null && (typeof grep !== 'string' || grep === '' || grep.length > LOGS_LIMITS.grepChars)) throw parameterInvalidError(`${op}: 'grep' must be a non-empty string of at most ${LOGS_LIMITS.grepChars} characters`, { key: 'grep' });
  return {
    correlationId: cid,
    sinceMs,
    untilMs,
    apps,
    containers,
    level: typeof level === 'string' ? (level as LogLevel) : undefined,
    grep: typeof grep === 'string' ? grep : undefined,
    lines: count(op, o, 'lines', LOGS_LIMITS.lines, LOGS_LIMITS.lines),
    options: uploadOptionsOf(op, o),
  };
}

export function parseLogsTail(value: unknown, knownApps: readonly string[]): LogsTailRequest {
  const o = object('tail', value);
  const lines = count('tail', o, 'lines', 50, LOGS_LIMITS.tailLines);
  const c = o['container'];
  if (c === undefined || c === null) return { app: appOf('tail', o['app'], knownApps), lines };
  if (o['app'] !== undefined && o['app'] !== null) throw parameterInvalidError("tail: give 'app' or 'container', not both", { key: 'container' });
  if (typeof c !== 'string' || c === '' || c.length > LOGS_LIMITS.containerRefChars) throw parameterInvalidError(`tail: 'container' must be a container name or ID of at most ${LOGS_LIMITS.containerRefChars} characters`, { key: 'container' });
  return { container: c, lines };
}

/** Whether a JSON log line passes the level and grep filters (lines that are not pino JSON pass the level filter). */
export function keepLine(line: string, level: LogLevel | undefined, grep: string | undefined): boolean {
  if (grep !== undefined && !line.includes(grep)) return false;
  if (level === undefined) return true;
  let l: unknown;
  try {
    l = (JSON.parse(line) as { level?: unknown }).level;
  } catch {
    return true;
  }
  const n = typeof l === 'number' ? l : typeof l === 'string' && l in LOG_LEVELS ? LOG_LEVELS[l as LogLevel] : undefined;
  return n === undefined || n >= LOG_LEVELS[level];
}

/** The last `lines` lines that fit in `maxBytes` (UTF-8), oldest dropped first. */
export function capTail(all: readonly string[], lines: number, maxBytes: number): { lines: string[]; truncated: boolean } {
  const out: string[] = [];
  let bytes = 0;
  for (let i = all.length - 1; i >= 0 && out.length < lines; i--) {
    const b = Buffer.byteLength(all[i]!, 'utf8') + 1;
    if (bytes + b > maxBytes) return { lines: out.reverse(), truncated: true };
    bytes += b;
    out.push(all[i]!);
  }
  return { lines: out.reverse(), truncated: out.length < all.length };
}
