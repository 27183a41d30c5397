// The identity payload on `edge/thing/response` (§1.1):
// `{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}`, policyId omitted when empty.
import { decodeJsonInput, isPlainObject, type JsonLimits } from '@ledge/shared/util-parse';
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export interface ThingIdentity {
  /** Namespaced `<namespace>:<name>` (§0). */
  readonly deviceId: string;
  readonly tenantId: string;
  /** Absent when empty. */
  readonly policyId?: string;
}

export type ThingIdentityParseResult = { readonly ok: true; readonly identity: ThingIdentity } | ParseFailure;

export const defaultEdgePayloadLimits: JsonLimits = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 16, maxNodes: 1_000 });

// Ditto's namespaced-ID grammar with a required namespace (§0: the connector rejects IDs without one).
const NAMESPACED_ID = /^[a-zA-Z]\w*(?:[.-][a-zA-Z]\w*)*:[^\x00-\x1F\x7F-\xFF/]+$/;

export function isNamespacedId(id: string): boolean {
  return id.length <= 256 && NAMESPACED_ID.test(id);
}

/** Parses an untrusted identity payload; extra keys are ignored. Never throws. */
export function parseThingIdentity(input: unknown, limits: Partial<JsonLimits> = {}): ThingIdentityParseResult {
  const decoded = decodeJsonInput(input, { ...defaultEdgePayloadLimits, ...limits });
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('identity must be a JSON object');
  const { deviceId, tenantId, policyId } = raw;
  const problems: string[] = [];
  if (typeof deviceId !== 'string' || !isNamespacedId(deviceId)) {
    problems.push(`"deviceId" must be a namespaced ID <namespace>:<name>, got ${JSON.stringify(deviceId) ?? 'nothing'}`);
  }
  if (typeof tenantId !== 'string') problems.push('"tenantId" must be a string');
  if (policyId !== undefined && typeof policyId !== 'string') problems.push('"policyId" must be a string');
  if (problems.length > 0) return parseFailure(...problems);
  return { ok: true, identity: buildThingIdentity({ deviceId, tenantId, policyId } as ThingIdentity) };
}

/** The payload object in wire key order, with `policyId` omitted when empty. */
export function buildThingIdentity(identity: ThingIdentity): ThingIdentity {
  const { deviceId, tenantId, policyId } = identity;
  return policyId === undefined || policyId === '' ? { deviceId, tenantId } : { deviceId, tenantId, policyId };
}

export function encodeThingIdentity(identity: ThingIdentity): string {
  return JSON.stringify(buildThingIdentity(identity));
}

/** Apps re-initialise when the announced identity changes (§1.1); repeats are equal. */
export function sameThingIdentity(a: ThingIdentity, b: ThingIdentity): boolean {
  return a.deviceId === b.deviceId && a.tenantId === b.tenantId && (a.policyId || '') === (b.policyId || '');
}
