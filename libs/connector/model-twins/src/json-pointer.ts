// JSON pointers (RFC 6901) over decoded JSON: read, set and delete by segments. Ditto treats arrays as
// leaf values, so pointers step through objects only. Nothing is changed in place: set and delete return
// copies along the pointer and share the untouched subtrees.
import { copyObject, getOwn, isJsonObject, objectFrom, setOwn, withoutKey } from './json-value';
import type { JsonObject } from './twin-types';

/** RFC 6901 §4: `~1` → `/`, `~0` → `~`; undefined when a `~` is followed by anything else. */
export function unescapeSegment(segment: string): string | undefined {
  if (!segment.includes('~')) return segment;
  if (/~(?![01])/.test(segment)) return undefined;
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6901 §3: `~` → `~0`, `/` → `~1`. */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/a/b~1c` from `['a', 'b/c']`; `''` for no segments. */
export function formatPointer(segments: readonly string[]): string {
  return segments.map((s) => `/${escapeSegment(s)}`).join('');
}

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** The value at `pointer` below `root` (the root itself for no segments). */
export function getAt(root: unknown, pointer: readonly string[]): Lookup {
  let node = root;
  for (const key of pointer) {
    if (!isJsonObject(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return node === undefined ? { found: false } : { found: true, value: node };
}

/** The value at `pointer` below `root`, or undefined (getAt for callers that treat absent as undefined). */
export function valueAt(root: unknown, pointer: readonly string[]): unknown {
  const found = getAt(root, pointer);
  return found.found ? found.value : undefined;
}

/** `value` re-nested under `pointer` (Kanto's `integrate`): `[a, b]`, 1 → {a:{b:1}}; `value` itself for no segments. */
export function nestAt(pointer: readonly string[], value: unknown): unknown {
  let out = value;
  for (let i = pointer.length - 1; i >= 0; i--) out = objectFrom([[pointer[i]!, out]]);
  return out;
}

/**
 * `root` with `value` at `pointer` (at least one segment). Missing objects on the way are created and a
 * non-object on the way is replaced by an object, as Ditto does when a value is modified below it.
 */
export function setAt(root: JsonObject, pointer: readonly string[], value: unknown): JsonObject {
  const [key, ...rest] = pointer;
  if (key === undefined) return root;
  const out = copyObject(root);
  if (rest.length === 0) setOwn(out, key, value);
  else {
    const child = getOwn(root, key);
    setOwn(out, key, setAt(isJsonObject(child) ? child : {}, rest, value));
  }
  return out;
}

/** `root` without the value at `pointer` (at least one segment); undefined when there is none. */
export function deleteAt(root: JsonObject, pointer: readonly string[]): JsonObject | undefined {
  const [key, ...rest] = pointer;
  if (key === undefined || !Object.hasOwn(root, key)) return undefined;
  if (rest.length === 0) return withoutKey(root, key);
  const child = root[key];
  if (!isJsonObject(child)) return undefined;
  const changed = deleteAt(child, rest);
  if (changed === undefined) return undefined;
  const out = copyObject(root);
  setOwn(out, key, changed);
  return out;
}
