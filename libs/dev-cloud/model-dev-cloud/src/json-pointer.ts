// JSON pointers (RFC 6901) as Ditto uses them in protocol paths: `/a/b~1c` is the keys `a`, `b/c`; `~0` is `~`.
// Values are plain JSON trees; every function here returns a new tree and leaves its input as it was.

export const MAX_POINTER_SEGMENTS = 64;
export const MAX_POINTER_LENGTH = 4096;

export type PointerParseResult = { readonly ok: true; readonly segments: readonly string[] } | { readonly ok: false; readonly problem: string };

/** `''` and `'/'` are the root; other pointers start with `/` and have no empty segment (Ditto refuses `//`). */
export function parsePointer(pointer: unknown): PointerParseResult {
  if (typeof pointer !== 'string') return { ok: false, problem: 'a JSON pointer must be a string' };
  if (pointer.length > MAX_POINTER_LENGTH) return { ok: false, problem: `the JSON pointer is longer than ${MAX_POINTER_LENGTH} characters` };
  if (pointer === '' || pointer === '/') return { ok: true, segments: [] };
  if (!pointer.startsWith('/')) return { ok: false, problem: `the JSON pointer "${pointer}" does not start with "/"` };
  const raw = pointer.slice(1).split('/');
  if (raw.length > MAX_POINTER_SEGMENTS) return { ok: false, problem: `the JSON pointer has more than ${MAX_POINTER_SEGMENTS} levels` };
  const segments: string[] = [];
  for (const s of raw) {
    if (s === '') return { ok: false, problem: `the JSON pointer "${pointer}" has an empty level` };
    if (/~[^01]|~$/.test(s)) return { ok: false, problem: `the JSON pointer "${pointer}" has a "~" that is not "~0" or "~1"` };
    segments.push(s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return { ok: true, segments };
}

/** The pointer of `segments`, escaped: `['b/c']` → `/b~1c`; `[]` → `/`. */
export function formatPointer(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : `/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `segments` below `root` (object keys only, as Ditto's pointers), or undefined. */
export function getAt(root: unknown, segments: readonly string[]): unknown {
  let at: unknown = root;
  for (const s of segments) {
    if (!isJsonObject(at) || !Object.hasOwn(at, s)) return undefined;
    at = at[s];
  }
  return at;
}

/** `root` with `value` at `segments`; missing or non-object levels on the way become objects (as Ditto does). */
export function setAt(root: unknown, segments: readonly string[], value: unknown): unknown {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments as [string, ...string[]];
  const base = isJsonObject(root) ? root : {};
  return withKey(base, head, setAt(base[head], rest, value));
}

/** `root` without the value at `segments`; `root` itself when there is nothing there. */
export function deleteAt(root: unknown, segments: readonly string[]): unknown {
  if (segments.length === 0 || !isJsonObject(root) || !Object.hasOwn(root, segments[0]!)) return root;
  const [head, ...rest] = segments as [string, ...string[]];
  if (rest.length === 0) {
    const copy: Record<string, unknown> = { ...root };
    delete copy[head];
    return copy;
  }
  const inner = deleteAt(root[head], rest);
  return inner === root[head] ? root : withKey(root, head, inner);
}

/** `{a: {b: value}}` for `['a', 'b']`: a value placed at a pointer in an otherwise empty tree. */
export function wrapAt(segments: readonly string[], value: unknown): unknown {
  return segments.reduceRight<unknown>((inner, key) => withKey({}, key, inner), value);
}

/** A copy of `obj` with `key` set; defineProperty, so a `__proto__` key is an own key and never a prototype. */
export function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}
