/// <reference lib="dom" />
// The twins as this page knows them: the list from `GET /api/2/things`, kept current by the SSE fragments
// of `GET /api/2/things` (Accept: text/event-stream). Ditto sends each change as a fragment of the Thing
// JSON; it is merged like a JSON merge patch (RFC 7396: null deletes), as Ditto's own SSE clients do.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };
export interface Feature {
  definition?: string[];
  properties?: JsonObject;
}
export interface Thing {
  thingId: string;
  attributes?: JsonObject;
  features?: Record<string, Feature>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

export interface Twins {
  get(thingId: string): Thing | undefined;
  all(): Thing[];
  /** Fragments from now on are also kept until `load`: call it when the stream (re)opens. */
  begin(): void;
  /** Sets the list from the API; fragments since `begin` are applied again on top. */
  load(things: readonly unknown[]): void;
  apply(fragment: unknown): void;
  /** Called after every change with the IDs of the things that changed. */
  onChange(fn: (thingIds: readonly string[]) => void): void;
  /** Called with a feature property's value (an object) each time it differs from the last seen. */
  onProperty(thingId: string, featureId: string, path: string, fn: (value: object) => void): void;
}

export function createTwins(): Twins {
  const things = new Map<string, Thing>();
  const listeners: ((ids: readonly string[]) => void)[] = [];
  let early: unknown[] | undefined;
  const emit = (ids: string[]) => listeners.forEach((l) => l(ids));
  const merge = (fragment: unknown): string | undefined => {
    if (!isObject(fragment) || typeof fragment['thingId'] !== 'string') return undefined;
    const id = fragment['thingId'];
    things.set(id, mergePatch(things.get(id) ?? { thingId: id }, fragment) as unknown as Thing);
    return id;
  };
  return {
    get: (id) => things.get(id),
    all: () => [...things.values()].sort((a, b) => a.thingId.localeCompare(b.thingId)),
    begin() {
      early = [];
    },
    load(list) {
      things.clear();
      for (const t of list) if (isObject(t) && typeof t['thingId'] === 'string') things.set(t['thingId'], t as unknown as Thing);
      for (const f of early ?? []) merge(f);
      early = undefined;
      emit([...things.keys()]);
    },
    apply(fragment) {
      early?.push(fragment);
      const id = merge(fragment);
      if (id !== undefined) emit([id]);
    },
    onChange: (fn) => void listeners.push(fn),
    onProperty(thingId, featureId, path, fn) {
      let last = '';
      listeners.push(() => {
        const value = at(things.get(thingId)?.features?.[featureId], path);
        if (typeof value !== 'object' || value === null) return;
        const text = JSON.stringify(value);
        if (text === last) return;
        last = text;
        fn(value);
      });
    },
  };
}

/** The value at a path of slash-separated keys, e.g. `properties/status/lastOperation`. */
export function at(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split('/')) v = isObject(v) ? v[k] : undefined;
  return v;
}
