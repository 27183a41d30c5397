// Ditto twin commands → AWS Device Shadow updates (§2.2), after Kanto's aws-connector device handler:
// the value is re-nested under its path, attributes go to the thing's (classic or named) shadow, every
// feature to a named shadow holding its properties plus its definition.
import { topicNameProblem } from '@ledge/shared/model-hono';
import type { DittoCommandTopic, DittoEnvelope } from '@ledge/shared/model-ditto';
import { parseDittoTopic } from '@ledge/shared/model-ditto';
import type { BusMessage, Mapped, QoS } from '@ledge/connector/model-connector';
import { SHADOW_DELETE, SHADOW_UPDATE, shadowBase } from './aws-topics';
import { filterLeaves, getAt, integrate, isPlainObject, own, put, single, withRemovedAsNull, type JsonObject } from './json-tree';
import type { ShadowStateCache } from './shadow-state';

const SHADOW_ACTIONS: ReadonlySet<string> = new Set(['create', 'modify', 'merge', 'delete']);
const ATTRIBUTES = 'attributes';
const FEATURES = 'features';
const PROPERTIES = 'properties';
const DEFINITION = 'definition';
const MAX_PATH_SEGMENTS = 32;

export interface ShadowMappingContext {
  readonly deviceId: string;
  readonly payloadFilters: readonly RegExp[];
  readonly state: ShadowStateCache;
  readonly qos: QoS;
}

/**
 * The command topic when `envelope` is a twin create/modify/merge/delete request (no `status`) for the
 * device itself or one of its `<deviceId>:` children; otherwise undefined (the message is forwarded as is).
 */
export function shadowCommandTopic(envelope: DittoEnvelope, deviceId: string): DittoCommandTopic | undefined {
  if (envelope.status !== undefined) return undefined;
  const parsed = parseDittoTopic(envelope.topic);
  if (!parsed.ok) return undefined;
  const t = parsed.topic;
  if (t.channel !== 'twin' || t.criterion !== 'commands' || !SHADOW_ACTIONS.has(t.action)) return undefined;
  const thingId = `${t.namespace}:${t.name}`;
  return thingId === deviceId || thingId.startsWith(`${deviceId}:`) ? t : undefined;
}

/** Shadow names: root attributes → classic shadow; root feature F → F; child C attributes → C; child feature → C:F. */
function shadowNames(topic: DittoCommandTopic, deviceId: string) {
  const thingId = `${topic.namespace}:${topic.name}`;
  const child = thingId === deviceId ? undefined : thingId.slice(deviceId.length + 1);
  return {
    attributes: shadowBase(deviceId, child),
    feature: (f: string) => shadowBase(deviceId, child === undefined ? f : `${child}:${f}`),
  };
}

export function toShadowMessages(envelope: DittoEnvelope, topic: DittoCommandTopic, ctx: ShadowMappingContext): Mapped {
  const names = shadowNames(topic, ctx.deviceId);
  const segments = envelope.path.split('/').filter((s) => s !== '');
  // The value is already depth-limited by parseEnvelope; bound the path too, so nesting stays shallow.
  if (segments.length > MAX_PATH_SEGMENTS) return { ok: false, drop: `path has more than ${MAX_PATH_SEGMENTS} levels` };
  let value: unknown = envelope.value === undefined ? null : envelope.value;
  if (topic.action === 'modify') value = withRemovedAsNull(previousAt(segments, value, names, ctx.state), value);

  const tree = filterLeaves(integrate(segments, value), ctx.payloadFilters);
  if (tree === undefined) return { ok: false, drop: 'every value was removed by payloadFilters' };
  if (!isPlainObject(tree)) return { ok: false, drop: `twin ${topic.action} of "${envelope.path}" has nothing to map to a shadow` };

  const updates: [shadow: string, reported: unknown][] = [];
  if (Object.hasOwn(tree, ATTRIBUTES)) {
    const attributes = tree[ATTRIBUTES];
    updates.push([names.attributes, isPlainObject(attributes) ? attributes : null]);
  }
  const features = own(tree, FEATURES);
  if (isPlainObject(features)) {
    for (const id of Object.keys(features)) {
      const feature = features[id];
      const shadow = names.feature(id);
      if (feature === null) updates.push([shadow, null]);
      else {
        const reported = featureReported(feature, ctx.state.get(shadow));
        if (Object.keys(reported).length > 0) updates.push([shadow, reported]);
      }
    }
  }

  const messages: BusMessage[] = [];
  const problems: string[] = [];
  for (const [shadow, reported] of updates) {
    const remove = topic.action === 'delete' && (!isPlainObject(reported) || Object.keys(reported).length === 0);
    const target = remove ? `${shadow}/${SHADOW_DELETE}` : `${shadow}/${SHADOW_UPDATE}`;
    const problem = topicNameProblem(target);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    if (remove) {
      ctx.state.delete(shadow);
      messages.push({ topic: target, payload: Buffer.alloc(0), qos: ctx.qos });
    } else {
      ctx.state.applyReported(shadow, reported);
      messages.push({ topic: target, payload: Buffer.from(JSON.stringify({ state: { reported } })), qos: ctx.qos });
    }
  }
  if (messages.length > 0) return { ok: true, messages };
  return { ok: false, drop: problems.length > 0 ? problems.join('; ') : `twin ${topic.action} of "${envelope.path}" has nothing to map to a shadow` };
}

/** A feature's shadow state: its properties flattened, plus `definition`; `properties: null` clears the known ones. */
function featureReported(feature: unknown, known: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isPlainObject(feature)) return out;
  const properties = own(feature, PROPERTIES);
  if (isPlainObject(properties)) {
    for (const key of Object.keys(properties)) put(out, key, properties[key]);
  } else if (properties === null && known !== undefined) {
    for (const key of Object.keys(known)) if (key !== DEFINITION) put(out, key, null);
  }
  if (Object.hasOwn(feature, DEFINITION)) put(out, DEFINITION, feature[DEFINITION]);
  return out;
}

/** The previous Ditto view of the subtree at `segments`, rebuilt from the known shadows. */
function previousAt(segments: readonly string[], next: unknown, names: ReturnType<typeof shadowNames>, state: ShadowStateCache): unknown {
  const featureView = (id: string): JsonObject | undefined => {
    const known = state.get(names.feature(id));
    if (known === undefined) return undefined;
    const properties: JsonObject = {};
    for (const key of Object.keys(known)) if (key !== DEFINITION) put(properties, key, known[key]);
    const view = single(PROPERTIES, properties);
    if (Object.hasOwn(known, DEFINITION)) put(view, DEFINITION, known[DEFINITION]);
    return view;
  };
  const featuresView = (nextFeatures: unknown): JsonObject | undefined => {
    if (!isPlainObject(nextFeatures)) return undefined;
    const view: JsonObject = {};
    for (const id of Object.keys(nextFeatures)) {
      const f = featureView(id);
      if (f !== undefined) put(view, id, f);
    }
    return view;
  };
  const [head, second, ...rest] = segments;
  if (head === undefined) {
    if (!isPlainObject(next)) return undefined;
    const view: JsonObject = {};
    const attributes = state.get(names.attributes);
    if (attributes !== undefined) put(view, ATTRIBUTES, attributes);
    const features = featuresView(own(next, FEATURES));
    if (features !== undefined) put(view, FEATURES, features);
    return view;
  }
  if (head === ATTRIBUTES) return getAt(state.get(names.attributes), segments.slice(1));
  if (head === FEATURES) {
    if (second === undefined) return featuresView(next);
    return getAt(featureView(second), rest);
  }
  return undefined;
}
