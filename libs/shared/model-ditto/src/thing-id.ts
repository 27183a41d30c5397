// Thing IDs `<namespace>:<name>` (§0). Hono device ID == Ditto thing ID and must be namespaced.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export interface ThingId {
  readonly namespace: string;
  readonly name: string;
}

export type ThingIdParseResult = { readonly ok: true; readonly thingId: ThingId } | ParseFailure;

/** §0: container management's own thing is `<dev>:edge:containers`. */
export const EDGE_CONTAINERS_SUFFIX = ':edge:containers';
/** Ditto's limit on entity IDs. */
export const MAX_THING_ID_LENGTH = 256;

// Ditto's namespace and entity-name grammar (as ditto-clients-golang's NamespacedID).
const NAMESPACE = /^[a-zA-Z]\w*(?:[.-][a-zA-Z]\w*)*$/;
const NAME = /^[^\x00-\x1F\x7F-\xFF/]+$/;

export function isValidNamespace(namespace: string): boolean {
  return NAMESPACE.test(namespace);
}

export function isValidEntityName(name: string): boolean {
  return NAME.test(name);
}

/** Splits `ns:name` at the first ':'; a missing or invalid namespace is rejected (§0). */
export function parseThingId(id: unknown): ThingIdParseResult {
  if (typeof id !== 'string' || id === '') return parseFailure('thing ID must be a non-empty string');
  if (id.length > MAX_THING_ID_LENGTH) return parseFailure(`thing ID is longer than ${MAX_THING_ID_LENGTH} characters`);
  const colon = id.indexOf(':');
  if (colon < 0) return parseFailure(`thing ID "${id}" has no namespace (expected <namespace>:<name>)`);
  const namespace = id.slice(0, colon);
  const name = id.slice(colon + 1);
  const problems: string[] = [];
  if (!isValidNamespace(namespace)) problems.push(`thing ID "${id}" has invalid namespace "${namespace}"`);
  if (!isValidEntityName(name)) problems.push(`thing ID "${id}" has invalid name "${name}"`);
  return problems.length > 0 ? parseFailure(...problems) : { ok: true, thingId: { namespace, name } };
}

export function formatThingId(thingId: ThingId): string {
  return `${thingId.namespace}:${thingId.name}`;
}

export function sameThingId(a: ThingId, b: ThingId): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

/** `<ns>:<name>` → `<ns>:<name>:edge:containers` (namespace `<ns>`, name `<name>:edge:containers`). */
export function containerThingId(device: ThingId): ThingId {
  return { namespace: device.namespace, name: `${device.name}${EDGE_CONTAINERS_SUFFIX}` };
}

export function isContainerThingId(thingId: ThingId): boolean {
  return thingId.name.endsWith(EDGE_CONTAINERS_SUFFIX) && thingId.name.length > EDGE_CONTAINERS_SUFFIX.length;
}

/** The gateway thing a `...:edge:containers` thing belongs to, or undefined for other things. */
export function deviceOfContainerThing(thingId: ThingId): ThingId | undefined {
  if (!isContainerThingId(thingId)) return undefined;
  return { namespace: thingId.namespace, name: thingId.name.slice(0, -EDGE_CONTAINERS_SUFFIX.length) };
}
