// Compact binary encoding of records: varints, length-prefixed UTF-8 strings, raw bytes, and a tagged
// value format for packets and subscriptions. Buffers are stored as raw bytes (no base64/JSON bloat),
// and the common MQTT field names are one byte each through a fixed dictionary.
import { corruptError, unencodableError } from './errors';

/**
 * Object keys with a one-byte code. Append-only: the position of a name is part of the on-disk
 * format, so never reorder or remove an entry.
 */
const KEYS: readonly string[] = [
  'cmd', 'brokerId', 'brokerCounter', 'topic', 'payload', 'qos', 'retain', 'dup', 'messageId', 'clientId',
  'nl', 'rh', 'rap', 'properties', 'messageExpiry', 'subscriptionIdentifier', 'length', 'id',
  'payloadFormatIndicator', 'messageExpiryInterval', 'contentType', 'responseTopic', 'correlationData',
  'userProperties', 'topicAlias',
];
/** String values with a one-byte code; append-only like KEYS. */
const STRINGS: readonly string[] = ['publish', 'pubrel'];
const KEY_CODE = new Map(KEYS.map((k, i) => [k, i + 1]));
const STRING_CODE = new Map(STRINGS.map((s, i) => [s, i]));

const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  UInt = 4,
  NegInt = 5,
  Float = 6,
  String = 7,
  Bytes = 8,
  Array = 9,
  Object = 10,
  KnownString = 11,
}

/** A growable output buffer; reuse one per component (encoding is synchronous). */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  /** Unsigned integer up to 2^53 - 1, LEB128 (7 bits per byte). */
  varUint(v: number): this {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.varUint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  str(s: string): this {
    const n = Buffer.byteLength(s);
    this.varUint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
    return this;
  }

  /** What was written since reset(), as a view: valid until the next write to this writer. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of what was written since reset(), sized exactly. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

export class ByteReader {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw corruptError('record ends early');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  varUint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) throw corruptError('varint too long');
    }
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy, so a decoded packet never pins the whole file buffer in memory. */
  bytes(): Buffer {
    const n = this.varUint();
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.varUint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/**
 * Writes any JSON-like value plus Buffer/Uint8Array and undefined. Object properties whose value is a
 * function are skipped (aedes hangs callbacks such as `writeCallback` on packets); an own property
 * holding `undefined` is kept, because aedes-packet shapes rely on it (`messageId: undefined`).
 */
export function writeValue(w: ByteWriter, v: unknown): void {
  switch (typeof v) {
    case 'undefined':
      w.u8(Tag.Undefined);
      return;
    case 'boolean':
      w.u8(v ? Tag.True : Tag.False);
      return;
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        if (v >= 0) w.u8(Tag.UInt).varUint(v);
        else w.u8(Tag.NegInt).varUint(-v);
      } else {
        w.u8(Tag.Float).f64(v);
      }
      return;
    case 'string': {
      const code = STRING_CODE.get(v);
      if (code === undefined) w.u8(Tag.String).str(v);
      else w.u8(Tag.KnownString).u8(code);
      return;
    }
    case 'object':
      if (v === null) w.u8(Tag.Null);
      else if (v instanceof Uint8Array) w.u8(Tag.Bytes).bytes(v);
      else if (Array.isArray(v)) {
        w.u8(Tag.Array).varUint(v.length);
        for (const item of v) writeValue(w, item);
      } else writeObject(w, v as Record<string, unknown>);
      return;
    default:
      throw unencodableError(typeof v);
  }
}

function writeObject(w: ByteWriter, o: Record<string, unknown>): void {
  // Plain objects and aedes' Packet/QoSPacket (plain function-constructor classes) are fine; a Map,
  // Date or Set would silently lose its contents, so refuse those.
  if (o instanceof Map || o instanceof Set || o instanceof Date || o instanceof RegExp) {
    throw unencodableError(o.constructor.name);
  }
  const keys = Object.keys(o);
  let n = 0;
  for (const k of keys) if (typeof o[k] !== 'function') n++;
  w.u8(Tag.Object).varUint(n);
  for (const k of keys) {
    const value = o[k];
    if (typeof value === 'function') continue;
    const code = KEY_CODE.get(k);
    if (code === undefined) w.varUint(0).str(k);
    else w.varUint(code);
    writeValue(w, value);
  }
}

export function readValue(r: ByteReader): unknown {
  const tag = r.u8();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.UInt:
      return r.varUint();
    case Tag.NegInt:
      return -r.varUint();
    case Tag.Float:
      return r.f64();
    case Tag.String:
      return r.str();
    case Tag.KnownString: {
      const s = STRINGS[r.u8()];
      if (s === undefined) throw corruptError('unknown string code');
      return s;
    }
    case Tag.Bytes:
      return r.bytes();
    case Tag.Array: {
      const n = r.varUint();
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(r));
      return out;
    }
    case Tag.Object: {
      const n = r.varUint();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const code = r.varUint();
        const key = code === 0 ? r.str() : KEYS[code - 1];
        if (key === undefined) throw corruptError('unknown key code');
        // defineProperty, not assignment: a stored "__proto__" key must stay data, not a prototype
        Object.defineProperty(out, key, { value: readValue(r), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw corruptError(`unknown value tag ${tag}`);
  }
}

/** Reads a value that must be a plain object (a packet or a subscription). */
export function readObject(r: ByteReader): Record<string, unknown> {
  const v = readValue(r);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw corruptError('expected an object');
  return v as Record<string, unknown>;
}
