// Small JSON-tree helpers for the twin mapping (the same shape as model-aws's json-tree.ts; one shared home
// for both is a follow-up). Values come from untrusted JSON, so keys such as "__proto__" are plain data:
// objects are built with defineProperty, never with assignment.
import { isPlainObject } from '@ledge/shared/util-parse';

export type JsonObject = Record<string, unknown>;
export { isPlainObject };

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

/** Re-nests `value` under `segments` (Kanto's `integrate`): `[a, b]`, 1 → {a:{b:1}}. */
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
 * `next` with `null` for every key of `previous` that `next` no longer has, recursively where both are
 * objects: a Ditto modify replaces a subtree, an IoT Hub reported patch merges, so the hub only forgets a
 * key it is told is null.
 */
export function withRemovedAsNull(previous: unknown, next: unknown): unknown {
  if (!isPlainObject(previous) || !isPlainObject(next)) return next;
  const out: JsonObject = {};
  for (const key of Object.keys(next)) put(out, key, next[key]);
  for (const key of Object.keys(previous)) {
    if (!Object.hasOwn(next, key)) put(out, key, null);
    else put(out, key, withRemovedAsNull(previous[key], next[key]));
  }
  return out;
}

/** RFC 7396 JSON merge patch (what IoT Hub applies to twin sections): objects merge, null removes, anything else replaces. */
export function mergePatch(current: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: JsonObject = {};
  if (isPlainObject(current)) for (const key of Object.keys(current)) put(out, key, current[key]);
  for (const key of Object.keys(patch)) {
    const v = patch[key];
    if (v === null) delete out[key];
    else put(out, key, mergePatch(own(out, key), v));
  }
  return out;
}
