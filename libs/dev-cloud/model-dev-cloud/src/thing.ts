// A twin as the development cloud keeps it (issue 24): Ditto's Thing JSON (API 2) plus the bookkeeping Ditto
// shows on request only (`_revision`, `_created`, `_modified`).
import { isJsonObject } from '@ledge/shared/model-ditto';

export interface Feature {
  readonly definition?: readonly string[];
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly desiredProperties?: Readonly<Record<string, unknown>>;
}

export interface Thing {
  readonly thingId: string;
  readonly policyId?: string;
  readonly definition?: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly features?: Readonly<Record<string, Feature>>;
  readonly _revision: number;
  /** ISO 8601. */
  readonly _created: string;
  readonly _modified: string;
}

/** The whole store: immutable, replaced on every change. */
export interface TwinState {
  readonly things: Readonly<Record<string, Thing>>;
}

export const emptyTwinState: TwinState = Object.freeze({ things: Object.freeze({}) });

/** The keys of a Thing Ditto knows (API 2), in the order Ditto writes them. */
export const THING_KEYS = ['thingId', 'policyId', 'definition', 'attributes', 'features'] as const;
const FEATURE_KEYS: ReadonlySet<string> = new Set(['definition', 'properties', 'desiredProperties']);

/** The problem with a Thing's shape (after a change), or undefined. Values inside attributes and properties are any JSON. */
export function thingShapeProblem(thing: Record<string, unknown>): string | undefined {
  for (const k of Object.keys(thing)) {
    if (!(THING_KEYS as readonly string[]).includes(k) && !k.startsWith('_')) return `the Thing has an unknown field "${k}"`;
  }
  if (thing['policyId'] !== undefined && typeof thing['policyId'] !== 'string') return 'the policyId must be a string';
  if (thing['definition'] !== undefined && thing['definition'] !== null && typeof thing['definition'] !== 'string') return 'the definition must be a string like "ns:name:version"';
  if (thing['attributes'] !== undefined && !isJsonObject(thing['attributes'])) return 'the attributes must be a JSON object';
  const features = thing['features'];
  if (features === undefined) return undefined;
  if (!isJsonObject(features)) return 'the features must be a JSON object';
  for (const [id, f] of Object.entries(features)) {
    const problem = featureProblem(id, f);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function featureProblem(id: string, f: unknown): string | undefined {
  if (id === '' || id.includes('/')) return `the Feature ID "${id}" must be non-empty and have no "/"`;
  if (!isJsonObject(f)) return `the Feature "${id}" must be a JSON object`;
  for (const k of Object.keys(f)) if (!FEATURE_KEYS.has(k)) return `the Feature "${id}" has an unknown field "${k}"`;
  const def = f['definition'];
  if (def !== undefined && !(Array.isArray(def) && def.every((d) => typeof d === 'string'))) return `the definition of the Feature "${id}" must be an array of strings`;
  for (const k of ['properties', 'desiredProperties']) {
    if (f[k] !== undefined && !isJsonObject(f[k])) return `the ${k} of the Feature "${id}" must be a JSON object`;
  }
  return undefined;
}

/** The Thing as Ditto's GET returns it: without the `_` fields, thingId first. */
export function publicThing(thing: Thing | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const t = thing as Record<string, unknown>;
  for (const k of THING_KEYS) if (t[k] !== undefined) out[k] = t[k];
  return out;
}

/** A Thing from untrusted JSON (the store file): the known fields, or undefined when its shape is wrong. */
export function reviveThing(thingId: string, raw: unknown): Thing | undefined {
  if (!isJsonObject(raw) || raw['thingId'] !== thingId || thingShapeProblem(raw) !== undefined) return undefined;
  const revision = raw['_revision'];
  const created = raw['_created'];
  const modified = raw['_modified'];
  if (!Number.isSafeInteger(revision) || (revision as number) < 0 || typeof created !== 'string' || typeof modified !== 'string') return undefined;
  return { ...publicThing(raw), thingId, _revision: revision as number, _created: created, _modified: modified } as Thing;
}
