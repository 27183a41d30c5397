// Ditto twin commands → AWS Device Shadow updates (§2.2), after Kanto's aws-connector device handler:
// the value is re-nested under its path, attributes go to the thing's (classic or named) shadow, every
// feature to a named shadow holding its properties plus its definition in `state.reported`. A feature's
// desiredProperties, when the command names them, go to the same shadow's `state.desired` (issue 20),
// never into `reported`.
import { topicNameProblem } from '@ledge/shared/model-hono';
import { type DittoCommandTopic, type DittoEnvelope, getOwn, nestAt, setOwn, valueAt, withRemovedAsNull, type JsonObject } from '@ledge/shared/model-ditto';
import { isPlainObject } from '@ledge/shared/util-parse';
import type { BusMessage, Mapped, QoS } from '@ledge/connector/model-connector';
import { twinSectionName, type TwinSection, type TwinSectionRegistry } from '@ledge/connector/model-twins';
import { SHADOW_DELETE, SHADOW_UPDATE, shadowBase } from './aws-topics';
import { filterLeaves } from './payload-filters';
import type { ShadowStateCache } from './shadow-state';

const ATTRIBUTES = 'attributes';
const FEATURES = 'features';
const PROPERTIES = 'properties';
const DEFINITION = 'definition';
const DESIRED = 'desiredProperties';
const MAX_PATH_SEGMENTS = 32;

export interface ShadowMappingContext {
  readonly deviceId: string;
  readonly payloadFilters: readonly RegExp[];
  /** Last known `state.reported` per shadow. */
  readonly state: ShadowStateCache;
  /** Last known `state.desired` per shadow (what a `modify` of desiredProperties must null). */
  readonly desired: ShadowStateCache;
  /** Learns which section each named shadow holds (for the `get` at connect and for the answers). */
  readonly sections: TwinSectionRegistry;
  readonly qos: QoS;
}

interface ShadowTarget {
  /** The shadow's key (shadowBase). */
  readonly shadow: string;
  /** The shadow name; null: the classic shadow. */
  readonly name: string | null;
  readonly section: TwinSection;
}

/**
 * Shadow names (model-twins' section names): root attributes → classic shadow; root feature F → F; child C
 * attributes → C; child feature → C:F. A feature without a name (an empty ID) has no shadow: undefined.
 */
function shadowNames(topic: DittoCommandTopic, deviceId: string) {
  const thingId = `${topic.namespace}:${topic.name}`;
  const target = (featureId?: string): ShadowTarget | undefined => {
    const named = twinSectionName(deviceId, thingId, featureId);
    if (!named.ok) return undefined;
    return { shadow: shadowBase(deviceId, named.name), name: named.name ?? null, section: featureId === undefined ? { thingId } : { thingId, featureId } };
  };
  // cloudTwinCommandTopic only lets the gateway and its children through, so their attributes have a shadow.
  return { attributes: target()!, feature: (f: string) => target(f) };
}

interface ShadowChange {
  readonly target: ShadowTarget;
  /** `state.reported`; undefined: not touched. */
  readonly reported?: unknown;
  /** `state.desired`; undefined: not touched. */
  readonly desired?: unknown;
}

export function toShadowMessages(envelope: DittoEnvelope, topic: DittoCommandTopic, ctx: ShadowMappingContext): Mapped {
  const names = shadowNames(topic, ctx.deviceId);
  const segments = envelope.path.split('/').filter((s) => s !== '');
  // The value is already depth-limited by parseEnvelope; bound the path too, so nesting stays shallow.
  if (segments.length > MAX_PATH_SEGMENTS) return { ok: false, drop: `path has more than ${MAX_PATH_SEGMENTS} levels` };
  let value: unknown = envelope.value === undefined ? null : envelope.value;
  if (topic.action === 'modify') value = withRemovedAsNull(previousAt(segments, value, names, ctx), value);

  const tree = filterLeaves(nestAt(segments, value), ctx.payloadFilters);
  if (tree === undefined) return { ok: false, drop: 'every value was removed by payloadFilters' };
  if (!isPlainObject(tree)) return { ok: false, drop: `twin ${topic.action} of "${envelope.path}" has nothing to map to a shadow` };

  const changes: ShadowChange[] = [];
  const problems: string[] = [];
  if (Object.hasOwn(tree, ATTRIBUTES)) {
    const attributes = tree[ATTRIBUTES];
    changes.push({ target: names.attributes, reported: isPlainObject(attributes) ? attributes : null });
  }
  const features = getOwn(tree, FEATURES);
  if (isPlainObject(features)) {
    for (const id of Object.keys(features)) {
      const feature = features[id];
      const target = names.feature(id);
      if (target === undefined) problems.push(`feature "${id}" has no shadow name (empty feature ID)`);
      else if (feature === null) changes.push({ target, reported: null });
      else {
        const reported = featureReported(feature, ctx.state.get(target.shadow));
        const desired = featureDesired(feature);
        const touched = Object.keys(reported).length > 0;
        if (touched || desired !== undefined) changes.push({ target, ...(touched ? { reported } : {}), ...(desired === undefined ? {} : { desired }) });
      }
    }
  }

  const messages: BusMessage[] = [];
  for (const { target, reported, desired } of changes) {
    const { shadow } = target;
    const remove = topic.action === 'delete' && desired === undefined && (!isPlainObject(reported) || Object.keys(reported).length === 0);
    const topicName = remove ? `${shadow}/${SHADOW_DELETE}` : `${shadow}/${SHADOW_UPDATE}`;
    const problem = topicNameProblem(topicName);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    if (target.name !== null) ctx.sections.remember(target.name, target.section);
    if (remove) {
      ctx.state.delete(shadow);
      ctx.desired.delete(shadow);
      messages.push({ topic: topicName, payload: Buffer.alloc(0), qos: ctx.qos });
      continue;
    }
    const state: JsonObject = {};
    if (reported !== undefined) {
      ctx.state.applyReported(shadow, reported);
      setOwn(state, 'reported', reported);
    }
    if (desired !== undefined) {
      ctx.desired.applyReported(shadow, desired);
      setOwn(state, 'desired', desired);
    }
    messages.push({ topic: topicName, payload: Buffer.from(JSON.stringify({ state })), qos: ctx.qos });
  }
  if (messages.length > 0) return { ok: true, messages };
  return { ok: false, drop: problems.length > 0 ? problems.join('; ') : `twin ${topic.action} of "${envelope.path}" has nothing to map to a shadow` };
}

/**
 * A feature's desiredProperties when the command names them (object, or null: clear them all); undefined
 * when it does not, so that a device app replacing its feature without them leaves the cloud's desired
 * state alone.
 */
function featureDesired(feature: unknown): unknown {
  if (!isPlainObject(feature) || !Object.hasOwn(feature, DESIRED)) return undefined;
  const desired = feature[DESIRED];
  return isPlainObject(desired) ? desired : null;
}

/** A feature's shadow state: its properties flattened, plus `definition`; `properties: null` clears the known ones. */
function featureReported(feature: unknown, known: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isPlainObject(feature)) return out;
  const properties = getOwn(feature, PROPERTIES);
  if (isPlainObject(properties)) {
    for (const key of Object.keys(properties)) setOwn(out, key, properties[key]);
  } else if (properties === null && known !== undefined) {
    for (const key of Object.keys(known)) if (key !== DEFINITION) setOwn(out, key, null);
  }
  if (Object.hasOwn(feature, DEFINITION)) setOwn(out, DEFINITION, feature[DEFINITION]);
  return out;
}

/** The previous Ditto view of the subtree at `segments`, rebuilt from the known shadows. */
function previousAt(segments: readonly string[], next: unknown, names: ReturnType<typeof shadowNames>, ctx: ShadowMappingContext): unknown {
  // Desired properties are part of the view only where the command names them (see featureDesired).
  const featureView = (id: string, withDesired: boolean): JsonObject | undefined => {
    const shadow = names.feature(id)?.shadow;
    if (shadow === undefined) return undefined;
    const known = ctx.state.get(shadow);
    const desired = withDesired ? ctx.desired.get(shadow) : undefined;
    if (known === undefined && desired === undefined) return undefined;
    const view: JsonObject = {};
    if (known !== undefined) {
      const properties: JsonObject = {};
      for (const key of Object.keys(known)) if (key !== DEFINITION) setOwn(properties, key, known[key]);
      setOwn(view, PROPERTIES, properties);
      if (Object.hasOwn(known, DEFINITION)) setOwn(view, DEFINITION, known[DEFINITION]);
    }
    if (desired !== undefined) setOwn(view, DESIRED, desired);
    return view;
  };
  const namesDesired = (feature: unknown) => isPlainObject(feature) && Object.hasOwn(feature, DESIRED);
  const featuresView = (nextFeatures: unknown): JsonObject | undefined => {
    if (!isPlainObject(nextFeatures)) return undefined;
    const view: JsonObject = {};
    for (const id of Object.keys(nextFeatures)) {
      const f = featureView(id, namesDesired(nextFeatures[id]));
      if (f !== undefined) setOwn(view, id, f);
    }
    return view;
  };
  const [head, second, ...rest] = segments;
  if (head === undefined) {
    if (!isPlainObject(next)) return undefined;
    const view: JsonObject = {};
    const attributes = ctx.state.get(names.attributes.shadow);
    if (attributes !== undefined) setOwn(view, ATTRIBUTES, attributes);
    const features = featuresView(getOwn(next, FEATURES));
    if (features !== undefined) setOwn(view, FEATURES, features);
    return view;
  }
  if (head === ATTRIBUTES) return valueAt(ctx.state.get(names.attributes.shadow), segments.slice(1));
  if (head === FEATURES) {
    if (second === undefined) return featuresView(next);
    return valueAt(featureView(second, rest.length === 0 ? namesDesired(next) : rest[0] === DESIRED), rest);
  }
  return undefined;
}
