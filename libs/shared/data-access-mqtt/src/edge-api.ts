// Kanto's local "edge" API (spec kanto-compat.md §1.1, §1.2): topics and payload parsers for device
// identity and remote connection status.
// TODO(lead): these belong in @ledge/model-edge (being written in parallel); switch the imports over and
// delete this file once it exports the same constants and parsers.

export const EdgeTopics = Object.freeze({
  /** Any payload; the connector answers once on `edge/thing/response`. */
  thingRequest: 'edge/thing/request',
  /** `{"deviceId","tenantId","policyId"?}`, QoS 0, not retained, repeated after each cloud reconnect. */
  thingResponse: 'edge/thing/response',
  /** Retained QoS 1 `{"connected","timestamp","cause"?}`; Last Will `{"connected":false,"cause":"CONNECTION_UNKNOWN"}`. */
  remoteConnectionStatus: 'edge/connection/remote/status',
} as const);

/** §1.2 causes; `connected` is true exactly when there is no cause. */
export const RemoteConnectionCauses = Object.freeze([
  'CONFIG_ERROR',
  'PROVISIONING_ERROR',
  'PROVISIONING_UPDATE',
  'PROVISIONING_MISSING',
  'CONNECTION_CLOSED',
  'CONNECTION_UNKNOWN',
  'CONNECTION_ERROR',
  'CONNECTION_NOT_AUTHENTICATED',
] as const);

export interface EdgeIdentity {
  /** Namespaced thing/device ID `<namespace>:<name>`, e.g. `demo:device`. */
  readonly deviceId: string;
  readonly tenantId: string;
  /** Omitted when the connector sends none (or an empty one). */
  readonly policyId?: string;
}

export interface RemoteConnectionStatus {
  readonly connected: boolean;
  /** Unix seconds; absent in the connector's Last Will. */
  readonly timestamp?: number;
  /** One of RemoteConnectionCauses (unknown causes are kept as sent). */
  readonly cause?: string;
  /** Ledge extension (docs/mqtt-api.md): the connector's offline buffer. */
  readonly outbox?: { readonly depth: number; readonly oldestAgeMs: number };
}

export type EdgeParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

// Ditto namespace (Java-package style) ':' entity name (no '/', no control characters).
const DEVICE_ID = /^[a-zA-Z]\w*(\.[a-zA-Z]\w*)*:[^/\u0000-\u001f\u007f]+$/;

export function parseEdgeIdentity(payload: Buffer | string): EdgeParseResult<EdgeIdentity> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const { deviceId, tenantId, policyId } = obj.value;
  const problems: string[] = [];
  if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) problems.push('deviceId must be a namespaced ID "<namespace>:<name>"');
  if (typeof tenantId !== 'string' || tenantId.length === 0) problems.push('tenantId must be a non-empty string');
  if (policyId !== undefined && policyId !== null && typeof policyId !== 'string') problems.push('policyId must be a string');
  if (problems.length > 0) return { ok: false, problems };
  const value: EdgeIdentity =
    typeof policyId === 'string' && policyId.length > 0
      ? { deviceId: deviceId as string, tenantId: tenantId as string, policyId }
      : { deviceId: deviceId as string, tenantId: tenantId as string };
  return { ok: true, value };
}

export function sameEdgeIdentity(a: EdgeIdentity | undefined, b: EdgeIdentity | undefined): boolean {
  return a?.deviceId === b?.deviceId && a?.tenantId === b?.tenantId && a?.policyId === b?.policyId;
}

export function parseRemoteConnectionStatus(payload: Buffer | string): EdgeParseResult<RemoteConnectionStatus> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const { connected, timestamp, cause, outbox } = obj.value;
  const problems: string[] = [];
  if (typeof connected !== 'boolean') problems.push('connected must be a boolean');
  if (timestamp !== undefined && !(typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp >= 0)) {
    problems.push('timestamp must be Unix seconds');
  }
  if (cause !== undefined && typeof cause !== 'string') problems.push('cause must be a string');
  if (problems.length > 0) return { ok: false, problems };
  const value: { -readonly [K in keyof RemoteConnectionStatus]: RemoteConnectionStatus[K] } = { connected: connected as boolean };
  if (typeof timestamp === 'number') value.timestamp = timestamp;
  if (typeof cause === 'string' && cause.length > 0) value.cause = cause;
  // The extension is optional: a malformed one is ignored rather than hiding the connected flag.
  if (isRecord(outbox) && isCount(outbox['depth']) && isCount(outbox['oldestAgeMs'])) {
    value.outbox = { depth: outbox['depth'], oldestAgeMs: outbox['oldestAgeMs'] };
  }
  return { ok: true, value };
}

function parseObject(payload: Buffer | string): EdgeParseResult<Record<string, unknown>> {
  let v: unknown;
  try {
    v = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, problems: [`not JSON: ${(err as Error).message}`] };
  }
  return isRecord(v) ? { ok: true, value: v } : { ok: false, problems: ['not a JSON object'] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
