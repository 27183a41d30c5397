// Seeded fuzzing of JSON payloads for the "bad input never crashes" tests: mutants of a valid payload
// (one node replaced by a value of another type, a key dropped, an array blown up, junk keys added) and
// raw bytes that are not JSON at all. The seed is printed by the tests and LEDGE_FUZZ_SEED replays it
// (or `random` explores).

/** mulberry32: a small, fast, seedable PRNG (not for cryptography). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of a fuzz run: `defaultSeed`, so CI runs the same cases every time (a regression fails
 * reproducibly); LEDGE_FUZZ_SEED=<n> replays a printed seed, LEDGE_FUZZ_SEED=random explores new ones.
 */
export function fuzzSeed(defaultSeed: number): number {
  const env = process.env['LEDGE_FUZZ_SEED'];
  if (env === 'random') return 1 + Math.floor(Math.random() * 2 ** 31);
  const n = Number(env);
  return env !== undefined && Number.isInteger(n) && n > 0 ? n : defaultSeed;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** An own, enumerable key, also for '__proto__' (a plain assignment would set the prototype instead). */
function setKey(o: Record<string | number, Json>, k: string | number, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '/etc/shadow',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'http://',
  'http://127.0.0.1:1/x',
  'ftp://127.0.0.1/x',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'ÿ€😀',
  '%00%2e%2e%2f',
  '${HOME}',
  '$(touch /tmp/ledge-fuzz-pwned)',
  '2026-13-45T99:99:99Z',
  'NaN',
  '-1',
  '1e400',
  '__proto__',
  'constructor',
];
const NUMBERS = [0, -1, 1, 0.5, -0.0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE];

/** A random JSON value of any type, at most `depth` levels deep. */
export function randomJson(rng: () => number, depth = 3): Json {
  const r = rng();
  if (depth <= 0 || r < 0.5) {
    const s = rng();
    if (s < 0.15) return null;
    if (s < 0.3) return rng() < 0.5;
    if (s < 0.55) return pick(rng, NUMBERS);
    if (s < 0.9) return pick(rng, STRINGS);
    return 'x'.repeat(1 + Math.floor(rng() * 70_000));
  }
  if (r < 0.75) return Array.from({ length: Math.floor(rng() * 4) }, () => randomJson(rng, depth - 1));
  const o: { [k: string]: Json } = {};
  for (let i = Math.floor(rng() * 4); i > 0; i--) setKey(o, pick(rng, ['a', 'url', 'name', '__proto__', 'constructor', '']), randomJson(rng, depth - 1));
  return o;
}

/** Every path to a node of `v` (object keys and array indexes), the root first. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

function getAt(v: Json, p: (string | number)[]): Json {
  let cur = v;
  for (const k of p) cur = (cur as Record<string | number, Json>)[k]!;
  return cur;
}

/** A copy of `valid` with one to three random mutations; `strings` add to the built-in hostile strings. */
export function mutate(valid: unknown, rng: () => number, strings: readonly string[] = []): unknown {
  const pool = strings.length === 0 ? STRINGS : [...STRINGS, ...strings];
  let v = JSON.parse(JSON.stringify(valid)) as Json;
  for (let n = 1 + Math.floor(rng() * 3); n > 0; n--) {
    const all = paths(v);
    const p = pick(rng, all);
    const op = rng();
    if (p.length === 0) {
      v = op < 0.5 ? randomJson(rng) : v;
      continue;
    }
    const parent = getAt(v, p.slice(0, -1)) as Record<string | number, Json> | Json[];
    const key = p[p.length - 1]!;
    const here = (parent as Record<string | number, Json>)[key]!;
    if (op < 0.45) (parent as Record<string | number, Json>)[key] = randomJson(rng, 2);
    else if (op < 0.6) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, Json>)[key];
    } else if (op < 0.7) (parent as Record<string | number, Json>)[key] = Array.from({ length: 200 }, () => here);
    else if (op < 0.8 && here !== null && typeof here === 'object' && !Array.isArray(here)) setKey(here, pick(rng, ['__proto__', 'constructor', 'extra', '']), randomJson(rng, 2));
    else if (op < 0.9 && typeof here === 'string') (parent as Record<string | number, Json>)[key] = pick(rng, pool);
    else if (typeof here === 'number') (parent as Record<string | number, Json>)[key] = pick(rng, NUMBERS);
    else (parent as Record<string | number, Json>)[key] = pick(rng, [null, true, 0, '', [], {}]);
  }
  return v;
}

/** Bytes that are not a JSON document: truncated JSON, random bytes, an empty payload. */
export function notJson(valid: unknown, rng: () => number): Buffer {
  const text = JSON.stringify(valid);
  const r = rng();
  if (r < 0.4) return Buffer.from(text.slice(0, Math.floor(rng() * text.length)));
  if (r < 0.8) return Buffer.from(Array.from({ length: Math.floor(rng() * 512) }, () => Math.floor(rng() * 256)));
  return Buffer.alloc(0);
}
