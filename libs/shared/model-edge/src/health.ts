// Ledge's health topics (issue 21, docs/mqtt-api.md "Health"): every Ledge app keeps a retained
// `edge/health/<app>` on the local bus, `up` from its start, `down` when it stops, and `down` from its Last
// Will when it dies or hangs (the broker publishes the will once the keepalive expires). Anyone may ask all
// apps to publish theirs again on `edge/health/request`. Pure: building, encoding and parsing.
import { decodeJsonInput, isPlainObject, parseFailure, type JsonLimits, type ParseFailure } from '@ledge/shared/util-parse';
import { toUnixSeconds } from './connection-status';
import { defaultEdgePayloadLimits } from './thing-identity';

/** Ledge's apps, by the name each reports its health under (and `ledge-<app>.service`, `ledge logs <app>`). */
export const LEDGE_APPS: readonly string[] = Object.freeze(['broker', 'connector', 'container-management', 'software-update', 'file-upload', 'file-backup', 'system-metrics', 'update-manager']);

export const HealthTopics = Object.freeze({
  prefix: 'edge/health/',
  /** Every app's health (a subscription filter). */
  all: 'edge/health/+',
  /** Any payload: every app publishes its health again. Not an app name: `request` is reserved. */
  request: 'edge/health/request',
} as const);

/** Retained and QoS 1, like the connection status: a late subscriber learns the current state. */
export const HealthPublishOptions = Object.freeze({ qos: 1, retain: true } as const);

/** Why an app is down: stopped on purpose (a clean shutdown), or lost (its will: it died, hung or lost its link). */
export type HealthDownReason = 'stopped' | 'lost';

export interface AppHealth {
  readonly status: 'up' | 'down';
  /** Process ID of the app (shared by the apps `ledge run` hosts in one process). */
  readonly pid: number;
  readonly version: string;
  /** Unix seconds: when the app started (for `up` and its will) or stopped. */
  readonly since: number;
  /** Restarts by the supervisor, where it tells the app (`ledge run --processes`). */
  readonly restarts?: number;
  readonly reason?: HealthDownReason;
  /** The app's own counters at the time (the broker: clients, sessions, queued messages). */
  readonly stats?: Readonly<Record<string, number>>;
  /** Software update's last finished operation (issue 21 item 3), kept across its restarts. */
  readonly lastOperation?: HealthLastOperation;
}

/** An operation as health reports it: small and flat, for `ledge status` and the `Health` feature. */
export interface HealthLastOperation {
  readonly correlationId: string;
  /** The operation's final status as its owner names it (hawkBit: `FINISHED_SUCCESS`, `FINISHED_ERROR`, …). */
  readonly status: string;
  /** Unix seconds: when it reached that status. */
  readonly at: number;
  /** `name:version` of the module it was about. */
  readonly module?: string;
  readonly message?: string;
}

/** Longest strings of a `lastOperation` parseHealth accepts (a retained payload anyone may have written). */
export const HealthLastOperationLimits = Object.freeze({ correlationId: 256, status: 64, module: 512, message: 1024 } as const);

export type HealthParseResult = { readonly ok: true; readonly health: AppHealth } | ParseFailure;

const APP_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** An app name fit for a health topic level: lower-case letters, digits and dashes, not `request`. */
export function isHealthAppName(app: string): boolean {
  return APP_NAME.test(app) && app !== 'request';
}

export function healthTopic(app: string): string {
  if (!isHealthAppName(app)) throw new TypeError(`not a health app name: ${JSON.stringify(app)}`);
  return HealthTopics.prefix + app;
}

/** The app of `edge/health/<app>`, or undefined for other topics (and for the request topic). */
export function appOfHealthTopic(topic: string): string | undefined {
  if (!topic.startsWith(HealthTopics.prefix)) return undefined;
  const app = topic.slice(HealthTopics.prefix.length);
  return isHealthAppName(app) ? app : undefined;
}

export interface HealthOptions {
  readonly pid: number;
  readonly version: string;
  /** Wall-clock milliseconds of the app's start; written as Unix seconds. */
  readonly startedMs: number;
  readonly restarts?: number;
}

export function buildHealthUp(o: HealthOptions): AppHealth {
  return { status: 'up', pid: o.pid, version: o.version, since: toUnixSeconds(o.startedMs), ...(o.restarts !== undefined ? { restarts: o.restarts } : {}) };
}

/** `lost` is the Last Will, registered at connect: it keeps the start time. `stopped` is stamped now. */
export function buildHealthDown(o: HealthOptions, reason: HealthDownReason, nowMs: number): AppHealth {
  const up = buildHealthUp(o);
  return { ...up, status: 'down', since: reason === 'stopped' ? toUnixSeconds(nowMs) : up.since, reason };
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Wire key order: status, pid, version, since, restarts, reason, stats, lastOperation (correlationId, status, at, module, message). */
export function encodeHealth(h: AppHealth): string {
  const ordered: Record<string, unknown> = { status: h.status, pid: h.pid, version: h.version, since: h.since };
  if (h.restarts !== undefined) ordered['restarts'] = h.restarts;
  if (h.reason !== undefined) ordered['reason'] = h.reason;
  if (h.stats !== undefined) ordered['stats'] = h.stats;
  if (h.lastOperation !== undefined) {
    // Clipped to what parseHealth accepts: an install script's long message must not make the whole health unreadable.
    const o = h.lastOperation;
    const L = HealthLastOperationLimits;
    ordered['lastOperation'] = {
      correlationId: clip(o.correlationId, L.correlationId),
      status: clip(o.status, L.status),
      at: o.at,
      ...(o.module !== undefined ? { module: clip(o.module, L.module) } : {}),
      ...(o.message !== undefined ? { message: clip(o.message, L.message) } : {}),
    };
  }
  return JSON.stringify(ordered);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** The `lastOperation` of an untrusted payload, or undefined when it is not one (extra keys are ignored). */
function parseLastOperation(v: unknown): HealthLastOperation | undefined {
  if (!isPlainObject(v)) return undefined;
  const L = HealthLastOperationLimits;
  const { correlationId, status, at, module, message } = v;
  if (!isText(correlationId, L.correlationId) || !isText(status, L.status) || status === '' || !isCount(at)) return undefined;
  if (module !== undefined && !isText(module, L.module)) return undefined;
  if (message !== undefined && !isText(message, L.message)) return undefined;
  return { correlationId, status, at, ...(module !== undefined ? { module } : {}), ...(message !== undefined ? { message } : {}) };
}

/** Parses an untrusted health payload; extra keys are ignored. Never throws. */
export function parseHealth(input: unknown, limits: Partial<JsonLimits> = {}): HealthParseResult {
  const decoded = decodeJsonInput(input, { ...defaultEdgePayloadLimits, ...limits });
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('health must be a JSON object');
  const { status, pid, version, since, restarts, reason, stats, lastOperation } = raw;
  const problems: string[] = [];
  if (status !== 'up' && status !== 'down') problems.push('status: must be "up" or "down"');
  if (!isCount(pid) || pid === 0) problems.push('pid: must be a positive integer');
  if (typeof version !== 'string' || version.length > 128) problems.push('version: must be a string of at most 128 characters');
  if (!isCount(since)) problems.push('since: must be Unix seconds');
  if (restarts !== undefined && !isCount(restarts)) problems.push('restarts: must be a count');
  if (reason !== undefined && reason !== 'stopped' && reason !== 'lost') problems.push('reason: must be "stopped" or "lost"');
  const statsOk = stats === undefined || (isPlainObject(stats) && Object.keys(stats).length <= 32 && Object.values(stats).every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!statsOk) problems.push('stats: must be an object of at most 32 numbers');
  const operation = lastOperation === undefined ? undefined : parseLastOperation(lastOperation);
  if (lastOperation !== undefined && operation === undefined) {
    const L = HealthLastOperationLimits;
    problems.push(`lastOperation: must be {correlationId (≤ ${L.correlationId} characters), status (1…${L.status}), at (Unix seconds), module? (≤ ${L.module}), message? (≤ ${L.message})}`);
  }
  if (problems.length > 0) return parseFailure(...problems);
  return {
    ok: true,
    health: {
      status: status as AppHealth['status'],
      pid: pid as number,
      version: version as string,
      since: since as number,
      ...(restarts !== undefined ? { restarts: restarts as number } : {}),
      ...(reason !== undefined ? { reason: reason as HealthDownReason } : {}),
      ...(stats !== undefined ? { stats: stats as Record<string, number> } : {}),
      ...(operation !== undefined ? { lastOperation: operation } : {}),
    },
  };
}
