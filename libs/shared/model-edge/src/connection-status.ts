// The retained status on `edge/connection/remote/status` (§1.1, §1.2). `timestamp` is Unix seconds;
// `connected` is true iff `cause` is empty. `outbox` is a Ledge extension (extra fields are allowed).
import { ConnectionCauses, isConnectionCause, type ConnectionCause } from './connection-cause';
import { decodeJsonInput, isPlainObject, type JsonLimits } from '@ledge/shared/util-parse';
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { defaultEdgePayloadLimits } from './thing-identity';

/** Ledge extension: the connector's store-and-forward queue toward the cloud. */
export interface OutboxStatus {
  readonly depth: number;
  readonly oldestAgeMs: number;
}

export interface ConnectedStatus {
  readonly connected: true;
  /** Unix seconds. */
  readonly timestamp?: number;
  readonly outbox?: OutboxStatus;
}

export interface DisconnectedStatus {
  readonly connected: false;
  /** Unix seconds; absent in the Last Will. */
  readonly timestamp?: number;
  readonly cause: ConnectionCause;
  readonly outbox?: OutboxStatus;
}

export type ConnectionStatus = ConnectedStatus | DisconnectedStatus;
export type ConnectionStatusParseResult = { readonly ok: true; readonly status: ConnectionStatus } | ParseFailure;

/** The Last Will: `{"connected":false,"cause":"CONNECTION_UNKNOWN"}`, no timestamp (§1.1). */
export const LAST_WILL_STATUS: DisconnectedStatus = Object.freeze({
  connected: false,
  cause: ConnectionCauses.CONNECTION_UNKNOWN,
});

export interface ConnectedStatusOptions {
  /** Wall-clock time in milliseconds; written as Unix seconds. */
  readonly nowMs: number;
  readonly outbox?: OutboxStatus;
}

export interface DisconnectedStatusOptions extends ConnectedStatusOptions {
  readonly cause: ConnectionCause;
}

export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** `{"connected":true,"timestamp":<unix s>}` (+ `outbox`). */
export function buildConnectedStatus(options: ConnectedStatusOptions): ConnectedStatus {
  const status: ConnectedStatus = { connected: true, timestamp: toUnixSeconds(options.nowMs) };
  return options.outbox === undefined ? status : { ...status, outbox: options.outbox };
}

/** `{"connected":false,"timestamp":<unix s>,"cause":"<CAUSE>"}` (+ `outbox`). */
export function buildDisconnectedStatus(options: DisconnectedStatusOptions): DisconnectedStatus {
  const status: DisconnectedStatus = { connected: false, timestamp: toUnixSeconds(options.nowMs), cause: options.cause };
  return options.outbox === undefined ? status : { ...status, outbox: options.outbox };
}

/** Serialises in wire key order: connected, timestamp, cause, outbox. */
export function encodeConnectionStatus(status: ConnectionStatus): string {
  const ordered: Record<string, unknown> = { connected: status.connected };
  if (status.timestamp !== undefined) ordered['timestamp'] = status.timestamp;
  if (!status.connected) ordered['cause'] = status.cause;
  if (status.outbox !== undefined) ordered['outbox'] = { depth: status.outbox.depth, oldestAgeMs: status.outbox.oldestAgeMs };
  return JSON.stringify(ordered);
}

/** Parses an untrusted status payload (including the Last Will); extra keys are ignored. Never throws. */
export function parseConnectionStatus(input: unknown, limits: Partial<JsonLimits> = {}): ConnectionStatusParseResult {
  const decoded = decodeJsonInput(input, { ...defaultEdgePayloadLimits, ...limits });
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('connection status must be a JSON object');
  const { connected, timestamp, cause, outbox } = raw;
  const problems: string[] = [];
  if (typeof connected !== 'boolean') problems.push('"connected" must be a boolean');
  if (timestamp !== undefined && !(typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp >= 0)) {
    problems.push('"timestamp" must be a non-negative number (Unix seconds)');
  }
  const emptyCause = cause === undefined || cause === '';
  if (connected === true && !emptyCause) problems.push('"cause" must be empty when connected (§1.2)');
  if (connected === false && !isConnectionCause(cause)) {
    problems.push(`"cause" must be one of ${Object.keys(ConnectionCauses).join('|')} when not connected`);
  }
  const parsedOutbox = outbox === undefined ? undefined : parseOutbox(outbox, problems);
  if (problems.length > 0) return parseFailure(...problems);

  const extra = {
    ...(timestamp === undefined ? {} : { timestamp: timestamp as number }),
    ...(parsedOutbox === undefined ? {} : { outbox: parsedOutbox }),
  };
  const status: ConnectionStatus = connected
    ? { connected: true, ...extra }
    : { connected: false, ...extra, cause: cause as ConnectionCause };
  return { ok: true, status };
}

function parseOutbox(value: unknown, problems: string[]): OutboxStatus | undefined {
  if (!isPlainObject(value)) {
    problems.push('"outbox" must be an object');
    return undefined;
  }
  const { depth, oldestAgeMs } = value;
  const ok =
    Number.isInteger(depth) &&
    (depth as number) >= 0 &&
    typeof oldestAgeMs === 'number' &&
    Number.isFinite(oldestAgeMs) &&
    oldestAgeMs >= 0;
  if (!ok) {
    problems.push('"outbox" must be {"depth": integer ≥ 0, "oldestAgeMs": number ≥ 0}');
    return undefined;
  }
  return { depth: depth as number, oldestAgeMs };
}
