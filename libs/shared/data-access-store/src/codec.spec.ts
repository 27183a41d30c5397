import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter, readValue, writeValue } from './codec';
import { RecordType, createRecordEncoder, decodeRecord, type SessionRecord } from './session-records';

const roundTrip = (v: unknown) => {
  const w = new ByteWriter(4);
  writeValue(w, v);
  const buf = w.finish();
  const r = new ByteReader(buf);
  const out = readValue(r);
  assert.ok(r.done, 'consumed every byte');
  return out;
};

describe('value codec', () => {
  const cases: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['booleans', [true, false]],
    ['small and large integers', [0, 1, 127, 128, 65535, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40)]],
    ['floats and special numbers', [0.5, -1.25, 1e300, Number.NaN, Number.POSITIVE_INFINITY, -0]],
    ['strings, empty and non-ASCII', ['', 'publish', 'pubrel', 'grüße/温度/🚀', 'x'.repeat(70_000)]],
    ['nested objects and arrays', { a: [1, { b: 'c' }], d: {}, e: [] }],
    ['an own property holding undefined', { cmd: 'publish', messageId: undefined }],
    ['unknown keys next to dictionary keys', { topic: 't', 'my-custom-key': 1 }],
  ];
  for (const [name, value] of cases) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(roundTrip(value), value);
    });
  }

  it('stores Buffers as raw bytes and returns copies', () => {
    const payload = Buffer.alloc(1000, 7);
    const w = new ByteWriter();
    writeValue(w, { payload });
    assert.ok(w.length < 1010, `payload stored raw (${w.length} bytes), not base64`);
    const out = roundTrip({ payload, u8: new Uint8Array([1, 2]) }) as { payload: Buffer; u8: Buffer };
    assert.ok(Buffer.isBuffer(out.payload));
    assert.deepEqual(out.payload, payload);
    assert.deepEqual(out.u8, Buffer.from([1, 2]));
  });

  it('skips function-valued properties (aedes callbacks) and keeps __proto__ as plain data', () => {
    assert.deepEqual(roundTrip({ a: 1, writeCallback: () => undefined }), { a: 1 });
    const tricky = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = roundTrip(tricky) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });

  it('refuses values it cannot store faithfully', () => {
    for (const v of [new Map(), new Set(), new Date(), 10n, Symbol('s')]) {
      assert.throws(() => writeValue(new ByteWriter(), v), { code: 'LEDGE_STORE_UNENCODABLE' });
    }
  });

  it('reports truncated or unknown input as LEDGE_STORE_CORRUPT', () => {
    const w = new ByteWriter();
    writeValue(w, { topic: 'a/b' });
    const buf = w.finish();
    assert.throws(() => readValue(new ByteReader(buf.subarray(0, buf.length - 1))), { code: 'LEDGE_STORE_CORRUPT' });
    assert.throws(() => readValue(new ByteReader(Buffer.from([0xee]))), { code: 'LEDGE_STORE_CORRUPT' });
  });
});

describe('session records', () => {
  const packet = { cmd: 'publish', topic: 'a', payload: Buffer.from('p'), qos: 1, retain: false, dup: false, brokerId: 'b', brokerCounter: 7, messageId: undefined };
  const records: SessionRecord[] = [
    { type: RecordType.Meta, nextSeq: 2 ** 40 },
    { type: RecordType.RetainPut, packet },
    { type: RecordType.RetainDel, topic: 'a/b' },
    { type: RecordType.SubAdd, clientId: 'c', subs: [{ topic: 'x/#', qos: 1, rh: 0, rap: true, nl: false, subscriptionIdentifier: 3 }] },
    { type: RecordType.SubRemove, clientId: 'c', topics: ['x/#', 'y'] },
    { type: RecordType.SubClean, clientId: 'c' },
    { type: RecordType.OutEnqueue, seq: 99, clientIds: ['c1', 'c2'], packet },
    { type: RecordType.OutMessageId, seq: 99, messageId: 65535 },
    { type: RecordType.OutReplace, seq: 99, packet: { cmd: 'pubrel', messageId: 4 } },
    { type: RecordType.OutDelete, seq: 99 },
    { type: RecordType.IncomingPut, clientId: 'c', packet: { ...packet, messageId: 5 } },
    { type: RecordType.IncomingDel, clientId: 'c', messageId: 5 },
    { type: RecordType.IncomingClean, clientId: 'c' },
    { type: RecordType.WillPut, clientId: 'c', packet: { topic: 'w', payload: Buffer.from('bye'), qos: 0, retain: false, brokerId: 'b', clientId: 'c' } },
    { type: RecordType.WillDel, clientId: 'c' },
  ];
  const encode = createRecordEncoder();
  for (const r of records) {
    it(`round-trips record type ${r.type}`, () => {
      assert.deepEqual(decodeRecord(encode(r)), r);
    });
  }

  it('rejects unknown types and trailing bytes', () => {
    assert.throws(() => decodeRecord(Buffer.from([200])), { code: 'LEDGE_STORE_CORRUPT' });
    assert.throws(() => decodeRecord(Buffer.concat([encode({ type: RecordType.OutDelete, seq: 1 }), Buffer.from([0])])), { code: 'LEDGE_STORE_CORRUPT' });
  });

  it('keeps a queued QoS 1 packet small', () => {
    const bytes = encode({ type: RecordType.OutEnqueue, seq: 123456, clientIds: ['sensor-0001'], packet: { ...packet, payload: Buffer.alloc(0) } }).length;
    assert.ok(bytes < 50, `${bytes} bytes`);
  });
});
