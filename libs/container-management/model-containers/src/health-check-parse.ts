// Health checks from every place a container config comes from (issue 18): the Ditto createWithConfig
// config (`healthCheck`, camelCase, a Ledge extension of §3.3), a deployment descriptor (`health_check`,
// snake_case like the other §4.2 keys) and the flat `health.*` key/value pairs of the update manager's
// desired state. One set of rules (health-check.ts) behind three spellings; every problem names the field.
import { MAX_TIMER_MS, parseGoDuration } from '@ledge/shared/util';
import type { ContainerConfig } from './container';
import { defaultHealthTiming, HEALTH_CHECK_KINDS, MIN_HEALTH_INTERVAL_MS, type HealthCheck, type HealthProbe, type HealthTiming } from './health-check';
import type { FieldReader } from './reader';

type Problem = (field: string, message: string) => void;

/** The JSON key of each part of a check in one spelling. */
interface HealthKeys {
  type: string;
  command: string;
  port: string;
  path: string;
  interval: string;
  timeout: string;
  retries: string;
  startPeriod: string;
}

export const DITTO_HEALTH_KEYS: Readonly<HealthKeys> = Object.freeze({ type: 'type', command: 'command', port: 'port', path: 'path', interval: 'interval', timeout: 'timeout', retries: 'retries', startPeriod: 'startPeriod' });
export const DESCRIPTOR_HEALTH_KEYS: Readonly<HealthKeys> = Object.freeze({ ...DITTO_HEALTH_KEYS, startPeriod: 'start_period' });

const DURATION_HINT = 'must be a duration like 10s, 500ms, 1m';

/** Go duration text → ms within [min, MAX_TIMER_MS]; a problem naming `field` otherwise. */
function duration(raw: unknown, field: string, min: number, problem: Problem): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const ms = typeof raw === 'string' ? parseGoDuration(raw) : undefined;
  if (ms === undefined) problem(field, `${DURATION_HINT} (got ${JSON.stringify(raw)})`);
  else if (ms < min) problem(field, min === 0 ? 'must not be negative' : `must be at least ${min}ms`);
  else if (ms > MAX_TIMER_MS) problem(field, 'must be at most 596h');
  else return Math.round(ms);
  return undefined;
}

function integer(raw: unknown, field: string, min: number, max: number, problem: Problem): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    problem(field, `must be an integer in [${min}, ${max}]`);
    return undefined;
  }
  return raw;
}

function timing(raw: Partial<Record<keyof HealthTiming, unknown>>, field: (k: keyof HealthTiming) => string, problem: Problem): HealthTiming {
  return {
    intervalMs: duration(raw.intervalMs, field('intervalMs'), MIN_HEALTH_INTERVAL_MS, problem) ?? defaultHealthTiming.intervalMs,
    timeoutMs: duration(raw.timeoutMs, field('timeoutMs'), 1, problem) ?? defaultHealthTiming.timeoutMs,
    retries: integer(raw.retries, field('retries'), 1, 1000, problem) ?? defaultHealthTiming.retries,
    startPeriodMs: duration(raw.startPeriodMs, field('startPeriodMs'), 0, problem) ?? defaultHealthTiming.startPeriodMs,
  };
}

/** A `command` given as one string is a shell command, as docker's CMD-SHELL. */
function shellCommand(cmd: string): string[] {
  return ['/bin/sh', '-c', cmd];
}

/**
 * `healthCheck` / `health_check`: `{type: EXEC|HTTP|TCP, command, port, path, interval, timeout, retries,
 * startPeriod}`; `command` is an argv array or a shell command string; durations are Go durations.
 * Undefined (with no problem) when absent.
 */
export function readHealthCheck(r: FieldReader, v: unknown, path: string, keys: Readonly<HealthKeys> = DITTO_HEALTH_KEYS): HealthCheck | undefined {
  const o = r.object(v, path);
  if (o === undefined) return undefined;
  const at = (k: keyof HealthKeys) => `${path}.${keys[k]}`;
  const before = r.problems.length;
  const problem: Problem = (field, message) => r.problem(field, message);
  const kind = r.enumOf(o[keys.type], at('type'), HEALTH_CHECK_KINDS);
  if (kind === undefined) {
    if (r.problems.length === before) r.problem(at('type'), `is required (one of ${HEALTH_CHECK_KINDS.map((k) => k.toUpperCase()).join(', ')})`);
    return undefined;
  }
  const only = (k: 'command' | 'port' | 'path', kinds: string) => {
    if (o[keys[k]] !== undefined) r.problem(at(k), `applies to ${kinds} checks only`);
  };
  let probe: HealthProbe | undefined;
  if (kind === 'exec') {
    only('port', 'HTTP and TCP');
    only('path', 'HTTP');
    const raw = o[keys.command];
    const command = typeof raw === 'string' ? (raw.trim() === '' ? [] : shellCommand(raw)) : r.strings(raw, at('command'));
    if (command === undefined || command.length === 0) {
      if (r.problems.length === before) r.problem(at('command'), 'is required for EXEC: an argv array, or a string run as /bin/sh -c');
    } else probe = { kind, command };
  } else {
    only('command', 'EXEC');
    if (kind === 'tcp') only('path', 'HTTP');
    const port = integer(o[keys.port], at('port'), 1, 65535, problem);
    if (port === undefined && o[keys.port] === undefined) r.problem(at('port'), `is required for ${kind.toUpperCase()}`);
    const p = kind === 'http' ? (r.string(o[keys.path], at('path')) ?? '/') : '/';
    if (!p.startsWith('/')) r.problem(at('path'), "must start with '/'");
    if (port !== undefined) probe = kind === 'http' ? { kind, port, path: p } : { kind, port };
  }
  const t = timing(
    { intervalMs: o[keys.interval], timeoutMs: o[keys.timeout], retries: o[keys.retries], startPeriodMs: o[keys.startPeriod] },
    (k) => at(k === 'intervalMs' ? 'interval' : k === 'timeoutMs' ? 'timeout' : k === 'startPeriodMs' ? 'startPeriod' : 'retries'),
    problem,
  );
  return probe !== undefined && r.problems.length === before ? { ...probe, ...t } : undefined;
}

/** `on-unhealthy` restarts on what a check finds: without a check it would be `unless-stopped` in disguise. */
export function checkRestartNeedsHealth(r: FieldReader, c: ContainerConfig, policyField: string, checkField: string): void {
  if (c.restartPolicy.type === 'on-unhealthy' && c.healthCheck === undefined) r.problem(policyField, `ON_UNHEALTHY needs a health check (${checkField})`);
}

export type HealthKeysResult = { ok: true; value: HealthCheck | undefined } | { ok: false; problem: string };

const PROBE_KEYS = ['health.cmd', 'health.http', 'health.tcp'] as const;
const TIMING_KEYS = { 'health.interval': 'intervalMs', 'health.timeout': 'timeoutMs', 'health.retries': 'retries', 'health.startPeriod': 'startPeriodMs' } as const;
const HEALTH_KEYS: readonly string[] = [...PROBE_KEYS, ...Object.keys(TIMING_KEYS)];
const PORT_PATH = /^(\d{1,5})(\/.*)?$/;

/**
 * The flat form of the update manager's desired state: `health.cmd` (run as `/bin/sh -c <cmd>`),
 * `health.http` (`<port><path>`, e.g. `8080/healthz`; the path defaults to `/`), `health.tcp` (`<port>`),
 * exactly one of them; `health.interval`, `health.timeout`, `health.startPeriod` (Go durations: `10s`,
 * `500ms`, `1m`) and `health.retries` (an integer ≥ 1). Keys not starting with `health.` are not ours and
 * are ignored; no `health.*` key at all = no check (`value` undefined). Problems name the key.
 */
export function healthCheckFromKeys(pairs: ReadonlyArray<{ key: string; value: string }>): HealthKeysResult {
  const problems: string[] = [];
  const problem: Problem = (field, message) => problems.push(`${field}: ${message}`);
  const given = new Map<string, string>();
  for (const { key, value } of pairs) {
    if (!key.startsWith('health.')) continue;
    if (!HEALTH_KEYS.includes(key)) problem(key, `unknown key (one of ${HEALTH_KEYS.join(', ')})`);
    else if (given.has(key)) problem(key, 'given more than once');
    else given.set(key, typeof value === 'string' ? value.trim() : String(value));
  }
  if (given.size === 0 && problems.length === 0) return { ok: true, value: undefined };
  const probes = PROBE_KEYS.filter((k) => given.has(k));
  if (probes.length === 0 && problems.length === 0) problem([...given.keys()][0]!, `needs one of ${PROBE_KEYS.join(', ')}`);
  if (probes.length > 1) problem(probes[1]!, `give only one of ${PROBE_KEYS.join(', ')} (also got ${probes[0]})`);
  const probe = probes.length === 1 ? probeFromKey(probes[0]!, given.get(probes[0]!)!, problem) : undefined;
  const retries = given.get('health.retries');
  const raw: Partial<Record<keyof HealthTiming, unknown>> = {
    intervalMs: given.get('health.interval'),
    timeoutMs: given.get('health.timeout'),
    startPeriodMs: given.get('health.startPeriod'),
    retries: retries === undefined ? undefined : /^\d+$/.test(retries) ? Number(retries) : retries,
  };
  const names = Object.fromEntries(Object.entries(TIMING_KEYS).map(([k, f]) => [f, k])) as Record<keyof HealthTiming, string>;
  const t = timing(raw, (k) => names[k], problem);
  if (problems.length > 0 || probe === undefined) return { ok: false, problem: problems.join('; ') };
  return { ok: true, value: { ...probe, ...t } };
}

function probeFromKey(key: (typeof PROBE_KEYS)[number], value: string, problem: Problem): HealthProbe | undefined {
  if (key === 'health.cmd') {
    if (value === '') problem(key, 'must be a shell command');
    return value === '' ? undefined : { kind: 'exec', command: shellCommand(value) };
  }
  const m = key === 'health.http' ? PORT_PATH.exec(value) : /^(\d{1,5})$/.exec(value);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) {
    problem(key, key === 'health.http' ? `must be <port><path> with a port in [1, 65535], e.g. 8080/healthz (got '${value}')` : `must be a port in [1, 65535] (got '${value}')`);
    return undefined;
  }
  return key === 'health.http' ? { kind: 'http', port, path: m[2] ?? '/' } : { kind: 'tcp', port };
}
