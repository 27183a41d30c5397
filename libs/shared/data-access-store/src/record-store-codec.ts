// The records of the record store (record-store.ts) and the rules for what it stores: one journal record
// per change, a batch being one record so that it is all-or-nothing across a crash (issue 20). Pure: no I/O.
import { ByteReader, readValue, writeValue, type ByteWriter } from './codec';
import { corruptError, invalidKeyError, unencodableError } from './errors';

/** One change; `batch()` takes a list of them. */
export type RecordStoreOp = { put: readonly [key: string, value: unknown] } | { delete: string } | { deletePrefix: string };

// Record types: the first byte of a record. Append-only, part of the on-disk format.
const PUT = 1;
const DELETE = 2;
const DELETE_PREFIX = 3;
const BATCH = 4;

/**
 * Deepest nesting of arrays and objects in a value. Bounds the recursion of encoding and of decoding on
 * replay (a stack overflow there would drop the record), and turns a cyclic value into a typed error.
 */
export const MAX_VALUE_DEPTH = 100;

// A lone surrogate does not survive UTF-8: the key read back on replay would differ from the one in memory.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkKey(key: unknown, maxKeyBytes: number, what: 'key' | 'prefix' = 'key'): asserts key is string {
  if (typeof key !== 'string') throw invalidKeyError(`${what} must be a string, not ${typeof key}`);
  if (key.length * 3 > maxKeyBytes) {
    const bytes = Buffer.byteLength(key);
    if (bytes > maxKeyBytes) throw invalidKeyError(`${what} of ${bytes} bytes exceeds maxKeyBytes ${maxKeyBytes}`, { bytes, max: maxKeyBytes });
  }
  if (LONE_SURROGATE.test(key)) throw invalidKeyError(`${what} contains a lone surrogate (not valid UTF-16)`);
}

function pathOf(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('') || '(the value)';
}

/**
 * Accepts what the codec stores faithfully: null, booleans, numbers, strings, arrays, plain objects, and
 * Buffers/Uint8Arrays (read back as Buffers); `undefined` as an object property or array item is kept.
 * Refuses what the codec would drop or change silently (a function property, a class instance, a Map)
 * or cannot encode (bigint, symbol), and cycles or nesting deeper than MAX_VALUE_DEPTH.
 */
export function checkValue(value: unknown): void {
  if (value === undefined) throw unencodableError('undefined (delete the key instead)');
  const path: (string | number)[] = [];
  const fail = (type: string) => unencodableError(`${type} at ${pathOf(path)}`);
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'undefined':
        return;
      case 'object': {
        if (v === null || v instanceof Uint8Array) return;
        if (path.length >= MAX_VALUE_DEPTH) throw fail(`a cyclic value or nesting deeper than ${MAX_VALUE_DEPTH}`);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            path.push(i);
            walk(v[i]);
            path.pop();
          }
          return;
        }
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) throw fail((v as object).constructor?.name || 'class instance');
        for (const k of Object.keys(v)) {
          path.push(k);
          walk((v as Record<string, unknown>)[k]);
          path.pop();
        }
        return;
      }
      default:
        throw fail(typeof v);
    }
  };
  walk(value);
}

/** Checks one operation of a put/delete/deletePrefix/batch call; throws the typed error of the first problem. */
export function checkOp(op: RecordStoreOp, maxKeyBytes: number): void {
  if (op !== null && typeof op === 'object') {
    if ('put' in op && Array.isArray(op.put)) {
      checkKey(op.put[0], maxKeyBytes);
      checkValue(op.put[1]);
      return;
    }
    if ('delete' in op) return checkKey(op.delete, maxKeyBytes);
    if ('deletePrefix' in op) return checkKey(op.deletePrefix, maxKeyBytes, 'prefix');
  }
  throw unencodableError('batch operation other than { put: [key, value] }, { delete: key } or { deletePrefix: prefix }');
}

function writeOp(w: ByteWriter, op: RecordStoreOp): void {
  if ('put' in op) {
    w.u8(PUT).str(op.put[0]);
    writeValue(w, op.put[1]);
  } else if ('delete' in op) w.u8(DELETE).str(op.delete);
  else w.u8(DELETE_PREFIX).str(op.deletePrefix);
}

/** One record for checked ops (a batch record for more than one); a view of `w`, valid until its next use. */
export function encodeRecord(w: ByteWriter, ops: readonly RecordStoreOp[]): Buffer {
  w.reset();
  if (ops.length === 1) writeOp(w, ops[0]!);
  else {
    w.u8(BATCH).varUint(ops.length);
    for (const op of ops) writeOp(w, op);
  }
  return w.view();
}

function readOp(r: ByteReader): RecordStoreOp {
  const type = r.u8();
  if (type === PUT) {
    const key = r.str();
    return { put: [key, deepFreeze(readValue(r))] };
  }
  if (type === DELETE) return { delete: r.str() };
  if (type === DELETE_PREFIX) return { deletePrefix: r.str() };
  throw corruptError(`unknown record-store operation ${type}`);
}

/** Decodes a whole record before anything is applied, so a record that does not decode changes nothing. */
export function decodeRecord(payload: Buffer): RecordStoreOp[] {
  const r = new ByteReader(payload);
  let ops: RecordStoreOp[];
  if (payload[0] === BATCH) {
    r.u8();
    const n = r.varUint();
    ops = [];
    for (let i = 0; i < n; i++) ops.push(readOp(r));
  } else ops = [readOp(r)];
  if (!r.done) throw corruptError('trailing bytes after a record-store record');
  return ops;
}

/** Applies decoded ops to the live state; returns how many keys were deleted. */
export function applyOps(records: Map<string, unknown>, ops: readonly RecordStoreOp[]): number {
  let deleted = 0;
  for (const op of ops) {
    if ('put' in op) records.set(op.put[0], op.put[1]);
    else if ('delete' in op) deleted += records.delete(op.delete) ? 1 : 0;
    else {
      for (const key of records.keys()) {
        if (key.startsWith(op.deletePrefix)) deleted += records.delete(key) ? 1 : 0;
      }
    }
  }
  return deleted;
}

/**
 * Stored values are shared by every get(); freezing them turns an accidental in-place change (which
 * would differ from the disk after a restart) into a TypeError. Buffers cannot be frozen and are left as is.
 */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const item of Object.values(v)) deepFreeze(item);
  }
  return v;
}
