// Container health checks (issue 18, "Beyond Kanto" item 1). Kanto has none: a container that runs but
// does not serve looks fine to the cloud and to an update. Ledge probes it the way docker's HEALTHCHECK
// does (exec in the container, or an HTTP GET / TCP connect to its address), with docker's timing rules:
// a probe every interval, `retries` failures in a row make it unhealthy, failures inside the start
// period do not count. The parsers of the three places a check is written are in health-check-parse.ts.
import { toDittoEnum } from './reader';

export type HealthCheckKind = 'exec' | 'http' | 'tcp';
export const HEALTH_CHECK_KINDS: readonly HealthCheckKind[] = ['exec', 'http', 'tcp'];

/** What one probe does. */
export type HealthProbe =
  /** Runs `command` (argv) inside the container; healthy on exit code 0. */
  | { kind: 'exec'; command: string[] }
  /** GET http://<container address>:<port><path>; healthy on a 2xx or 3xx answer. */
  | { kind: 'http'; port: number; path: string }
  /** Connects to <container address>:<port>; healthy once the connection is accepted. */
  | { kind: 'tcp'; port: number };

export interface HealthTiming {
  /** Between the end of one probe and the start of the next; the first probe runs one interval after the start. */
  intervalMs: number;
  /** A probe that takes longer fails (an exec probe's process is killed). */
  timeoutMs: number;
  /** Consecutive failed probes before the container is unhealthy. */
  retries: number;
  /** From the task's start: failed probes inside it do not count (a success still makes it healthy). */
  startPeriodMs: number;
}

export type HealthCheck = HealthProbe & HealthTiming;

export const defaultHealthTiming: Readonly<HealthTiming> = Object.freeze({ intervalMs: 10_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 0 });

/** Below this a check would keep a small device busy probing. */
export const MIN_HEALTH_INTERVAL_MS = 100;

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** The health of a container's current (or last) run; absent on records without a check. */
export interface ContainerHealth {
  status: HealthStatus;
  /** Failed probes in a row that counted (outside the start period). */
  failingStreak: number;
  /** RFC 3339 with ns (formatTimestamp) of the last probe's end. */
  lastCheckAt?: string;
  /** The last probe's output (exec: the first 4 KiB of stdout+stderr), or why it failed. */
  lastOutput?: string;
}

/** The health of a task that just started. */
export function startingHealth(): ContainerHealth {
  return { status: 'starting', failingStreak: 0 };
}

export interface ProbeOutcome {
  ok: boolean;
  output: string;
  /** RFC 3339 with ns: when the probe ended. */
  at: string;
}

/**
 * Docker's rules after one probe: a success is healthy and clears the streak; a failure counts (and
 * `retries` of them in a row make it unhealthy) unless the container is still starting inside its start
 * period.
 */
export function nextHealth(prev: ContainerHealth, probe: ProbeOutcome, o: { retries: number; inStartPeriod: boolean }): ContainerHealth {
  const seen = { lastCheckAt: probe.at, lastOutput: probe.output };
  if (probe.ok) return { status: 'healthy', failingStreak: 0, ...seen };
  if (o.inStartPeriod && prev.status === 'starting') return { status: 'starting', failingStreak: prev.failingStreak, ...seen };
  const failingStreak = prev.failingStreak + 1;
  return { status: failingStreak >= o.retries ? 'unhealthy' : prev.status, failingStreak, ...seen };
}

/** `10000` → `10s`, `90000` → `1m30s`, `1500` → `1500ms`: a Go duration that parses back to the same ms. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** The check in the Ditto spelling (the `healthCheck` key of createWithConfig's config, §3.3 extension). */
export function dittoHealthCheckOf(h: HealthCheck): Record<string, unknown> {
  return {
    type: toDittoEnum(h.kind),
    ...probeFields(h),
    interval: formatDuration(h.intervalMs),
    timeout: formatDuration(h.timeoutMs),
    retries: h.retries,
    startPeriod: formatDuration(h.startPeriodMs),
  };
}

/** The check in a deployment descriptor's spelling (`health_check`, §4.2 style): what `ledge cm create` sends. */
export function descriptorHealthCheckOf(h: HealthCheck): Record<string, unknown> {
  return {
    type: h.kind,
    ...probeFields(h),
    interval: formatDuration(h.intervalMs),
    timeout: formatDuration(h.timeoutMs),
    retries: h.retries,
    start_period: formatDuration(h.startPeriodMs),
  };
}

function probeFields(p: HealthProbe): Record<string, unknown> {
  switch (p.kind) {
    case 'exec':
      return { command: p.command };
    case 'http':
      return { port: p.port, path: p.path };
    case 'tcp':
      return { port: p.port };
  }
}
