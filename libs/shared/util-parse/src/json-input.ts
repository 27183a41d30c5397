// Decoding of untrusted JSON payloads (MQTT bytes, strings or already-parsed values) with size, depth and
// node-count limits, so a hostile payload cannot exhaust the stack or memory of a consumer.
import { parseFailure, type ParseFailure } from './parse-result';

export interface JsonLimits {
  /** Maximum payload size in bytes (UTF-16 code units for string input). */
  readonly maxBytes: number;
  /** Maximum nesting depth of objects/arrays. */
  readonly maxDepth: number;
  /** Maximum number of values (objects, arrays, primitives) in the tree. */
  readonly maxNodes: number;
}

export type JsonInputResult = { readonly ok: true; readonly value: unknown } | ParseFailure;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns `input` into a JSON value; strings and bytes are parsed, other values are checked as JSON trees. */
export function decodeJsonInput(input: unknown, limits: JsonLimits): JsonInputResult {
  let text: string | undefined;
  if (input instanceof Uint8Array) {
    if (input.byteLength > limits.maxBytes) return parseFailure(`payload exceeds ${limits.maxBytes} bytes`);
    try {
      text = utf8.decode(input);
    } catch (err) {
      return parseFailure(`payload is not valid UTF-8: ${errorMessage(err)}`);
    }
  } else if (typeof input === 'string') {
    if (input.length > limits.maxBytes) return parseFailure(`payload exceeds ${limits.maxBytes} bytes`);
    text = input;
  }
  let value: unknown = input;
  if (text !== undefined) {
    if (text.trim() === '') return parseFailure('payload is empty');
    try {
      value = JSON.parse(text);
    } catch (err) {
      return parseFailure(`payload is not valid JSON: ${errorMessage(err)}`);
    }
  }
  const problem = checkJsonTree(value, limits);
  return problem === undefined ? { ok: true, value } : parseFailure(problem);
}

/**
 * Iteratively walks `root` and returns a problem if it is not a plain JSON tree within the limits.
 * Iterative (no recursion) and node-counted, so cycles and huge fan-out terminate quickly.
 */
export function checkJsonTree(root: unknown, limits: Pick<JsonLimits, 'maxDepth' | 'maxNodes'>): string | undefined {
  const stack: Array<{ v: unknown; depth: number; at: string }> = [{ v: root, depth: 0, at: '' }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, depth, at } = stack.pop()!;
    if (++nodes > limits.maxNodes) return `payload has more than ${limits.maxNodes} values`;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${where(at)} is not a finite number`;
      continue;
    }
    if (typeof v !== 'object') return `${where(at)} is not a JSON value (${typeof v})`;
    if (depth >= limits.maxDepth) return `payload nests deeper than ${limits.maxDepth} levels`;
    if (Array.isArray(v)) {
      v.forEach((item: unknown, i) => stack.push({ v: item, depth: depth + 1, at: `${at}/${i}` }));
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `${where(at)} is not a plain JSON object`;
    for (const [k, item] of Object.entries(v)) stack.push({ v: item, depth: depth + 1, at: `${at}/${k}` });
  }
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function where(at: string): string {
  return at === '' ? 'payload' : `value at "${at}"`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
