// The development cloud's twin store (issue 24) as pure functions over an immutable TwinState: Ditto protocol
// twin commands from devices (`<ns>/<name>/things/twin/commands/{create,modify,merge,delete}`) in, the
// new state and Ditto's event (or Ditto's error) out. Never throws; input is bounded.
import {
  deleteAt,
  formatPointer,
  formatThingId,
  isJsonObject,
  mergePatch,
  nestAt,
  parseDittoTopic,
  parsePointer,
  parseThingId,
  setAt,
  twinPathOf,
  twinPathSegments,
  valueAt,
  type DittoEnvelope,
  type TwinPath,
} from '@ledge/shared/model-ditto';
import { decodeJsonInput, isPlainObject } from '@ledge/shared/util-parse';
import { DittoErrors, type DittoError } from './ditto-errors';
import { publicThing, thingShapeProblem, type Thing, type TwinState } from './thing';

export const twinStoreLimits = Object.freeze({
  maxThings: 10_000,
  /** A Thing's JSON, in UTF-16 code units (≈ bytes for ASCII). */
  maxThingBytes: 1024 * 1024,
  maxDepth: 64,
  maxNodes: 100_000,
});

export type TwinEventAction = 'created' | 'modified' | 'merged' | 'deleted';

export interface TwinEvent {
  readonly thingId: string;
  readonly action: TwinEventAction;
  /** The escaped JSON pointer of the changed resource, `/` for the whole Thing. */
  readonly path: string;
  /** The new value (created/modified), the patch (merged); absent for deleted. */
  readonly value?: unknown;
  readonly revision: number;
  /** ISO 8601. */
  readonly timestamp: string;
}

export interface TwinCommandResult {
  readonly state: TwinState;
  readonly event?: TwinEvent;
  readonly error?: DittoError;
}

const ACTIONS: ReadonlySet<string> = new Set(['create', 'modify', 'merge', 'delete']);

/**
 * Applies one twin command. A modify or merge for a Thing the store does not have creates it first, empty, as
 * Ditto's implicit thing creation does for a device Hono knows; the command then applies as Ditto would (so a
 * property of a Feature that does not exist is still refused, and nothing is created).
 */
export function applyTwinCommand(state: TwinState, envelope: DittoEnvelope, now: Date | number | string): TwinCommandResult {
  const fail = (error: DittoError): TwinCommandResult => ({ state, error });
  if (!isPlainObject(envelope)) return fail(DittoErrors.commandInvalid('the command is not a Ditto protocol envelope'));
  const topic = parseDittoTopic(envelope.topic);
  if (!topic.ok) return fail(DittoErrors.commandInvalid(`invalid topic: ${topic.problems.join('; ')}`));
  const t = topic.topic;
  if (t.criterion !== 'commands' || t.channel !== 'twin' || !ACTIONS.has(t.action)) {
    return fail(DittoErrors.commandInvalid(`"${String(envelope.topic)}" is not a twin create, modify, merge or delete command`));
  }
  const id = parseThingId(`${t.namespace}:${t.name}`);
  if (!id.ok) return fail(DittoErrors.thingIdInvalid(`${t.namespace}:${t.name}`));
  const thingId = formatThingId(id.thingId);
  const pointer = parsePointer(envelope.path);
  if (!pointer.ok) return fail(DittoErrors.pointerInvalid(pointer.problems.join('; ')));
  const address = twinPathOf(pointer.segments);
  if (!address.ok) return fail(DittoErrors.pointerInvalid(address.problems.join('; ')));
  const hasValue = Object.hasOwn(envelope, 'value') && envelope.value !== undefined;
  if (t.action !== 'delete') {
    if (!hasValue) return fail(DittoErrors.jsonInvalid(`a ${t.action} command needs a value`));
    const checked = decodeJsonInput([envelope.value], { maxBytes: Infinity, maxDepth: twinStoreLimits.maxDepth + 1, maxNodes: twinStoreLimits.maxNodes });
    if (!checked.ok) return fail(DittoErrors.jsonInvalid(checked.problems.join('; ')));
  }
  const timestamp = iso(now);
  if (timestamp === undefined) return fail(DittoErrors.commandInvalid('the clock gave no valid time'));
  const cmd: Command = { thingId, action: t.action as Command['action'], address: address.path, segments: pointer.segments, value: envelope.value, timestamp };
  return apply(state, cmd);
}

interface Command {
  readonly thingId: string;
  readonly action: 'create' | 'modify' | 'merge' | 'delete';
  readonly address: TwinPath;
  readonly segments: readonly string[];
  readonly value: unknown;
  readonly timestamp: string;
}

function apply(state: TwinState, cmd: Command): TwinCommandResult {
  const fail = (error: DittoError): TwinCommandResult => ({ state, error });
  const { thingId, action, address, segments, value, timestamp } = cmd;
  const existing = Object.hasOwn(state.things, thingId) ? state.things[thingId] : undefined;
  if (existing === undefined && Object.keys(state.things).length >= twinStoreLimits.maxThings && action !== 'delete') {
    return fail(DittoErrors.tooManyThings(twinStoreLimits.maxThings));
  }
  if (action === 'create') {
    if (address.scope !== 'thing') return fail(DittoErrors.commandInvalid('create is only for the whole Thing (path "/"); use modify'));
    if (existing !== undefined) return fail(DittoErrors.thingConflict(thingId));
  }
  if (action === 'delete') {
    if (existing === undefined) return fail(DittoErrors.thingNotFound(thingId));
    if (address.scope === 'thing') {
      const things = { ...state.things };
      delete things[thingId];
      return { state: { things }, event: { thingId, action: 'deleted', path: '/', revision: existing._revision + 1, timestamp } };
    }
    const missing = missingError(existing, address);
    if (missing !== undefined) return fail(missing);
    if (address.scope === 'policyId') return fail(DittoErrors.commandInvalid('the policyId of a Thing cannot be deleted'));
    return commit(state, existing, deleteAt(body(existing), segments) ?? body(existing), { thingId, action: 'deleted', path: formatPointer(segments), timestamp });
  }
  const base: Record<string, unknown> = existing === undefined ? { thingId } : body(existing);
  let next: unknown;
  let eventAction: TwinEvent['action'];
  if (address.scope === 'thing') {
    if (!isJsonObject(value)) return fail(DittoErrors.jsonInvalid('a Thing must be a JSON object'));
    if (value['thingId'] !== undefined && value['thingId'] !== thingId) return fail(DittoErrors.thingIdNotSettable());
    next = action === 'merge' ? mergePatch(base, { ...value, thingId }) : { ...publicThing(value), thingId };
    eventAction = action === 'merge' ? 'merged' : existing === undefined ? 'created' : 'modified';
  } else if (action === 'merge') {
    // Ditto applies a merge at a path as the patch `{<path>: value}` on the whole Thing: missing levels appear.
    next = mergePatch(base, nestAt(segments, value));
    eventAction = 'merged';
  } else {
    const missing = parentMissing(base, address, thingId);
    if (missing !== undefined) return fail(missing);
    eventAction = valueAt(base, segments) === undefined ? 'created' : 'modified';
    next = setAt(base, segments, value);
  }
  if (!isJsonObject(next)) return fail(DittoErrors.jsonInvalid('the change would leave no Thing'));
  const problem = thingShapeProblem(next);
  if (problem !== undefined) return fail(DittoErrors.jsonInvalid(problem));
  if (existing === undefined) {
    // Implicit creation: one `created` event for the whole new Thing.
    return commit(state, undefined, next, { thingId, action: 'created', path: '/', timestamp, value: publicThing({ ...next, thingId }) });
  }
  const eventValue = address.scope === 'thing' && action !== 'merge' ? publicThing({ ...(next as Record<string, unknown>), thingId }) : value;
  return commit(state, existing, next, { thingId, action: eventAction, path: formatPointer(segments), timestamp, value: eventValue });
}

function commit(state: TwinState, existing: Thing | undefined, json: unknown, e: Omit<TwinEvent, 'revision'>): TwinCommandResult {
  const revision = (existing?._revision ?? 0) + 1;
  const thing = { ...publicThing(json as Record<string, unknown>), thingId: e.thingId, _revision: revision, _created: existing?._created ?? e.timestamp, _modified: e.timestamp } as Thing;
  if (JSON.stringify(thing).length > twinStoreLimits.maxThingBytes) {
    return { state, error: DittoErrors.tooLarge(`The Thing '${e.thingId}' would be larger than ${twinStoreLimits.maxThingBytes} bytes.`) };
  }
  const things = { ...state.things };
  Object.defineProperty(things, e.thingId, { value: thing, enumerable: true, writable: true, configurable: true });
  return { state: { things }, event: { ...e, revision } };
}

/** The Thing's JSON without the bookkeeping fields. */
function body(thing: Thing): Record<string, unknown> {
  return publicThing(thing);
}

/** A modify below a Feature needs the Feature (Ditto answers feature.notfound); attributes and properties levels are created. */
function parentMissing(json: Record<string, unknown>, address: TwinPath, thingId: string): DittoError | undefined {
  if ((address.scope === 'featureDefinition' || address.scope === 'properties' || address.scope === 'desiredProperties') && valueAt(json, ['features', address.featureId]) === undefined) {
    return DittoErrors.featureNotFound(thingId, address.featureId);
  }
  return undefined;
}

/** Ditto's not-found error for the first missing level of `address` in `thing`, or undefined when it is there. */
export function missingError(thing: Thing, address: TwinPath): DittoError | undefined {
  const json = thing as unknown as Record<string, unknown>;
  const id = thing.thingId;
  if (valueAt(json, twinPathSegments(address)) !== undefined) return undefined;
  switch (address.scope) {
    case 'thing':
      return undefined;
    case 'attributes':
      return address.pointer.length === 0 ? DittoErrors.attributesNotFound(id) : DittoErrors.attributeNotFound(id, formatPointer(address.pointer));
    case 'definition':
      return DittoErrors.definitionNotFound(id);
    case 'policyId':
      return DittoErrors.policyIdNotFound(id);
    case 'features':
      return DittoErrors.featuresNotFound(id);
    case 'feature':
      return DittoErrors.featureNotFound(id, address.featureId);
    case 'featureDefinition':
      return valueAt(json, ['features', address.featureId]) === undefined ? DittoErrors.featureNotFound(id, address.featureId) : DittoErrors.featureDefinitionNotFound(id, address.featureId);
    case 'properties':
    case 'desiredProperties': {
      if (valueAt(json, ['features', address.featureId]) === undefined) return DittoErrors.featureNotFound(id, address.featureId);
      const desired = address.scope === 'desiredProperties';
      if (address.pointer.length === 0 || valueAt(json, ['features', address.featureId, address.scope]) === undefined) return DittoErrors.propertiesNotFound(id, address.featureId, desired);
      return DittoErrors.propertyNotFound(id, address.featureId, formatPointer(address.pointer), desired);
    }
  }
}

export type ReadResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: DittoError };

/**
 * The resource at `pointer` (an escaped JSON pointer, or already split segments as from a URL) of a Thing, as
 * Ditto's HTTP GET returns it; the whole Thing without its `_` fields. Missing → Ditto's 404 for that level.
 */
export function readPath(thing: Thing, pointer: string | readonly string[]): ReadResult {
  let segments: readonly string[];
  if (typeof pointer === 'string') {
    const parsed = parsePointer(pointer);
    if (!parsed.ok) return { ok: false, error: DittoErrors.pointerInvalid(parsed.problems.join('; ')) };
    segments = parsed.segments;
  } else segments = pointer;
  const address = twinPathOf(segments);
  if (!address.ok) return { ok: false, error: DittoErrors.pointerInvalid(address.problems.join('; ')) };
  if (address.path.scope === 'thing') return { ok: true, value: publicThing(thing) };
  const missing = missingError(thing, address.path);
  if (missing !== undefined) return { ok: false, error: missing };
  return { ok: true, value: valueAt(thing, twinPathSegments(address.path)) };
}

function iso(now: Date | number | string): string | undefined {
  const d = now instanceof Date ? now : new Date(now);
  return Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
}
