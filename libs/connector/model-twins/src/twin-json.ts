// The Ditto JSON of a thing and of a feature (Ditto "things" model: `{thingId, policyId, definition,
// attributes, features:{F:{definition, properties, desiredProperties}}}`), and the checks that turn an
// untrusted command value back into the records' shape.
import { isJsonObject, objectFrom, setOwn, type JsonObject } from '@ledge/shared/model-ditto';
import type { ThingRecord, TwinFeature } from './twin-types';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A thing's own fields (what ThingRecord holds besides bookkeeping). */
export interface ThingFields {
  readonly policyId?: string;
  readonly definition?: string;
  readonly attributes?: JsonObject;
}

export function featureJson(feature: TwinFeature): JsonObject {
  const out: JsonObject = {};
  if (feature.definition !== undefined) out['definition'] = [...feature.definition];
  if (feature.properties !== undefined) out['properties'] = feature.properties;
  if (feature.desiredProperties !== undefined) out['desiredProperties'] = feature.desiredProperties;
  return out;
}

/** `{thingId, policyId?, definition?, attributes?}`. */
export function thingFieldsJson(thing: ThingRecord): JsonObject {
  const out: JsonObject = { thingId: thing.thingId };
  if (thing.policyId !== undefined) out['policyId'] = thing.policyId;
  if (thing.definition !== undefined) out['definition'] = thing.definition;
  if (thing.attributes !== undefined) out['attributes'] = thing.attributes;
  return out;
}

export function featuresJson(features: Iterable<readonly [string, TwinFeature]>): JsonObject {
  return objectFrom([...features].map(([id, f]) => [id, featureJson(f)] as const));
}

/** The whole thing; `features` only when it has any (as Kanto and Ditto omit an absent features object). */
export function thingJson(thing: ThingRecord, features: Iterable<readonly [string, TwinFeature]>): JsonObject {
  const out = thingFieldsJson(thing);
  const all = featuresJson(features);
  if (Object.keys(all).length > 0) setOwn(out, 'features', all);
  return out;
}

/** A feature value: an object with optional `definition` (strings), `properties`, `desiredProperties` (objects; `null` is not one). */
export function checkFeature(value: unknown, featureId: string): Checked<TwinFeature> {
  if (!isJsonObject(value)) return { ok: false, problem: `feature "${featureId}" must be a JSON object` };
  const out: { definition?: readonly string[]; properties?: JsonObject; desiredProperties?: JsonObject } = {};
  const definition = checkFeatureDefinition(Object.hasOwn(value, 'definition') ? value['definition'] : undefined, featureId);
  if (!definition.ok) return definition;
  if (definition.value !== undefined) out.definition = definition.value;
  for (const key of ['properties', 'desiredProperties'] as const) {
    const v = Object.hasOwn(value, key) ? value[key] : undefined;
    if (v === undefined) continue;
    if (!isJsonObject(v)) return { ok: false, problem: `${key} of feature "${featureId}" must be a JSON object` };
    out[key] = v;
  }
  return { ok: true, value: out };
}

/** A feature definition: an array of non-empty strings (Ditto: `ns:name:version` identifiers). */
export function checkFeatureDefinition(value: unknown, featureId: string): Checked<readonly string[] | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'string' && d !== '')) {
    return { ok: false, problem: `definition of feature "${featureId}" must be an array of non-empty strings` };
  }
  return { ok: true, value: [...(value as string[])] };
}

/** A features value: an object of feature values. */
export function checkFeatures(value: unknown, isValidId: (id: string) => boolean): Checked<ReadonlyMap<string, TwinFeature>> {
  if (!isJsonObject(value)) return { ok: false, problem: 'features must be a JSON object' };
  const out = new Map<string, TwinFeature>();
  for (const id of Object.keys(value)) {
    if (!isValidId(id)) return { ok: false, problem: `invalid feature ID "${id}"` };
    const feature = checkFeature(value[id], id);
    if (!feature.ok) return feature;
    out.set(id, feature.value);
  }
  return { ok: true, value: out };
}

/** The thing's own fields in a thing-like object (`thingId` and `features` are checked elsewhere). */
export function checkThingFields(value: JsonObject): Checked<ThingFields> {
  const out: { policyId?: string; definition?: string; attributes?: JsonObject } = {};
  for (const key of ['policyId', 'definition'] as const) {
    const v = Object.hasOwn(value, key) ? value[key] : undefined;
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') return { ok: false, problem: `${key} must be a non-empty string` };
    out[key] = v;
  }
  const attributes = Object.hasOwn(value, 'attributes') ? value['attributes'] : undefined;
  if (attributes !== undefined) {
    if (!isJsonObject(attributes)) return { ok: false, problem: 'attributes must be a JSON object' };
    out.attributes = attributes;
  }
  return { ok: true, value: out };
}
