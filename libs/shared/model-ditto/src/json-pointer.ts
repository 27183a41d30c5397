// JSON pointers (RFC 6901) as Ditto uses them in protocol paths: `/a/b~1c` is the keys `a`, `b/c`; `~0` is
// `~`. Ditto treats arrays as leaf values, so pointers step through objects only. Nothing is changed in
// place: set and delete return copies along the pointer and share the untouched subtrees.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { copyObject, getOwn, isJsonObject, objectFrom, setOwn, withoutKey, type JsonObject } from './json-value';

export interface PointerLimits {
  /** Characters of the whole pointer. */
  readonly maxLength: number;
  /** Levels (segments) of the pointer. */
  readonly maxSegments: number;
}

export const defaultPointerLimits: PointerLimits = Object.freeze({ maxLength: 4096, maxSegments: 64 });

export type PointerParseResult = { readonly ok: true; readonly segments: readonly string[] } | ParseFailure;

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

/** `''` and `'/'` are the root; other pointers start with `/` and have no empty segment (Ditto refuses `//`). Never throws. */
export function parsePointer(pointer: unknown, limits: PointerLimits = defaultPointerLimits): PointerParseResult {
  if (typeof pointer !== 'string') return parseFailure('a JSON pointer must be a string');
  if (pointer.length > limits.maxLength) return parseFailure(`the JSON pointer is longer than ${limits.maxLength} characters`);
  if (pointer === '' || pointer === '/') return { ok: true, segments: [] };
  if (!pointer.startsWith('/')) return parseFailure(`the JSON pointer "${pointer}" does not start with "/"`);
  const raw = pointer.slice(1).split('/');
  if (raw.length > limits.maxSegments) return parseFailure(`the JSON pointer has more than ${limits.maxSegments} levels`);
  const segments: string[] = [];
  for (const s of raw) {
    if (s === '') return parseFailure(`the JSON pointer "${pointer}" has an empty level`);
    const unescaped = unescapeSegment(s);
    if (unescaped === undefined) return parseFailure(`the JSON pointer "${pointer}" has a "~" that is not "~0" or "~1"`);
    segments.push(unescaped);
  }
  return { ok: true, segments };
}

/** `/a/b~1c` from `['a', 'b/c']`; `/` (Ditto's root pointer) for no segments. */
export function formatPointer(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : segments.map((s) => `/${escapeSegment(s)}`).join('');
}

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** The value at `segments` below `root` (the root itself for no segments). */
export function getAt(root: unknown, segments: readonly string[]): Lookup {
  let node = root;
  for (const key of segments) {
    if (!isJsonObject(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return node === undefined ? { found: false } : { found: true, value: node };
}

/** The value at `segments` below `root`, or undefined (getAt for callers that treat absent as undefined). */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  const found = getAt(root, segments);
  return found.found ? found.value : undefined;
}

/** `value` nested under `segments` in an otherwise empty tree (Kanto's `integrate`): `[a, b]`, 1 → {a:{b:1}}. */
export function nestAt(segments: readonly string[], value: unknown): unknown {
  let out = value;
  for (let i = segments.length - 1; i >= 0; i--) out = objectFrom([[segments[i]!, out]]);
  return out;
}

/**
 * `root` with `value` at `segments` (at least one; `root` itself for none). Missing objects on the way are
 * created and a non-object on the way is replaced by an object, as Ditto does when a value is modified below it.
 */
export function setAt(root: JsonObject, segments: readonly string[], value: unknown): JsonObject {
  const [key, ...rest] = segments;
  if (key === undefined) return root;
  const out = copyObject(root);
  if (rest.length === 0) setOwn(out, key, value);
  else {
    const child = getOwn(root, key);
    setOwn(out, key, setAt(isJsonObject(child) ? child : {}, rest, value));
  }
  return out;
}

/** `root` without the value at `segments` (at least one); undefined when there is none. */
export function deleteAt(root: JsonObject, segments: readonly string[]): JsonObject | undefined {
  const [key, ...rest] = segments;
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
