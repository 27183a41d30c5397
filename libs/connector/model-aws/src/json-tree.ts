// Small JSON-tree helpers for the shadow mapping. Values come from untrusted JSON, so keys such as
// "__proto__" are plain data: objects are built with defineProperty, never with assignment.
import { decodeJsonInput, isPlainObject } from '@ledge/shared/util-parse';
import { defaultParseEnvelopeOptions } from '@ledge/shared/model-ditto';

export type JsonObject = Record<string, unknown>;
export { isPlainObject };

/** A JSON object within the envelope limits (size, depth, node count), or undefined; never throws. */
export function parseJsonObject(payload: Buffer): JsonObject | undefined {
  const decoded = decodeJsonInput(payload, defaultParseEnvelopeOptions);
  return decoded.ok && isPlainObject(decoded.value) ? decoded.value : undefined;
}

/** Sets an own data property, also for keys like "__proto__" (assignment would change the prototype). */
export function put(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function own(target: JsonObject, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

export function single(key: string, value: unknown): JsonObject {
  const o: JsonObject = {};
  put(o, key, value);
  return o;
}

/** Re-nests `value` under the non-empty segments of `path` (Kanto's `integrate`): `/a/b`, 1 → {a:{b:1}}. */
export function integrate(segments: readonly string[], value: unknown): unknown {
  let v = value;
  for (let i = segments.length - 1; i >= 0; i--) v = single(segments[i]!, v);
  return v;
}

/** The value at `segments` inside `root`, or undefined. */
export function getAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const s of segments) {
    if (!isPlainObject(v)) return undefined;
    v = own(v, s);
  }
  return v;
}

/**
 * `next` with `null` added for every key of `previous` that `next` no longer has, recursively where both
 * are objects. A modify replaces the subtree, but a shadow update merges, so AWS only forgets a key it is
 * told is null (AWS IoT "Device Shadow service documents": a null value deletes the property).
 */
export function withRemovedAsNull(previous: unknown, next: unknown): unknown {
  if (!isPlainObject(previous) || !isPlainObject(next)) return next;
  const out: JsonObject = { ...next };
  for (const key of Object.keys(previous)) {
    if (!Object.hasOwn(next, key)) put(out, key, null);
    else put(out, key, withRemovedAsNull(previous[key], next[key]));
  }
  return out;
}

/** AWS shadow update semantics: objects merge recursively, null deletes a key, anything else replaces. */
export function mergeReported(current: unknown, update: unknown): unknown {
  if (!isPlainObject(update)) return update;
  const out: JsonObject = isPlainObject(current) ? { ...current } : {};
  for (const key of Object.keys(update)) {
    const v = update[key];
    if (v === null) delete out[key];
    else put(out, key, mergeReported(own(out, key), v));
  }
  return out;
}

/**
 * Removes every leaf whose JSON-pointer-like path (`/features/X/properties/y`, array indices as numbers)
 * matches one of `filters`; containers left empty are removed too (as Kanto's payloadFilters). Returns
 * undefined when nothing is left.
 */
export function filterLeaves(value: unknown, filters: readonly RegExp[], path = ''): unknown {
  if (filters.length === 0) return value;
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const v = filterLeaves(value[key], filters, `${path}/${key}`);
      if (v !== undefined) put(out, key, v);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (Array.isArray(value)) {
    const out = value.map((v, i) => filterLeaves(v, filters, `${path}/${i}`)).filter((v) => v !== undefined);
    return out.length === 0 ? undefined : out;
  }
  return filters.some((f) => test(f, path)) ? undefined : value;
}

/** RegExp.test without the statefulness of global/sticky patterns. */
export function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
