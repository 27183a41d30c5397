import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogger, createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { nodeJournalFs, type JournalFs } from './journal-fs';
import { FILE_HEADER_BYTES, RECORD_HEADER_BYTES } from './journal-format';
import { createRecordStore, type RecordStore, type RecordStoreOptions } from './record-store';
import { decodeRecord, type RecordStoreOp } from './record-store-codec';

async function open(t: TestContextLike, dir: string, opts: Partial<RecordStoreOptions> = {}) {
  const captured = captureLogger();
  const store = createRecordStore({ dir, logger: captured.logger, ...opts });
  await store.open();
  t.after(() => store.close());
  return { store, lines: captured.lines };
}

/** The whole state, keys sorted, values as plain data. */
const dump = (store: RecordStore) => Object.fromEntries(store.keys().map((k) => [k, store.get(k)]));
const files = (dir: string, ext: string) => readdirSync(dir).filter((n) => n.endsWith(ext)).sort();
const dirBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

/** Every record of a journal file, decoded. */
function recordsOf(file: string): RecordStoreOp[][] {
  const buf = readFileSync(file);
  const out: RecordStoreOp[][] = [];
  for (let at = FILE_HEADER_BYTES; at < buf.length; ) {
    const len = buf.readUInt32LE(at);
    out.push(decodeRecord(buf.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + len)));
    at += RECORD_HEADER_BYTES + len;
  }
  return out;
}

const thing = (id: string, n: number) => ({ thingId: id, attributes: { n, tags: ['a', 'b'], nested: { ok: true, none: null } } });

describe('createRecordStore', () => {
  it('replays put, delete, deletePrefix and batch after close and open', async (t) => {
    const dir = createTempDir(t);
    const { store } = await open(t, dir);
    store.put('t\0a', thing('a', 1));
    store.put('f\0a\0temp', { properties: { value: 21.5 } });
    store.put('f\0a\0hum', { properties: { value: 40 } });
    store.put('t\0b', thing('b', 1));
    store.put('f\0b\0temp', { properties: { value: -3 } });
    store.put('t\0a', thing('a', 2));
    store.put('gone', 'soon');
    store.delete('gone');
    assert.equal(store.deletePrefix('f\0b\0'), 1);
    store.batch([{ put: ['t\0c', thing('c', 1)] }, { put: ['f\0c\0x', { properties: {} }] }, { delete: 't\0b' }, { deletePrefix: 'f\0a\0h' }]);
    store.put('bytes', { raw: Buffer.from([0, 1, 255]), missing: undefined, list: [1, undefined, 'x'], nan: Number.NaN, neg: -0 });

    assert.deepEqual(store.keys(), ['bytes', 'f\0a\0temp', 'f\0c\0x', 't\0a', 't\0c'], 'sorted');
    assert.deepEqual(store.keys('t\0'), ['t\0a', 't\0c']);
    assert.equal(store.size, 5);
    assert.equal(store.has('gone'), false);
    assert.equal(store.get('gone'), undefined);
    const before = dump(store);
    await store.close();

    const { store: again } = await open(t, dir);
    assert.deepEqual(dump(again), before);
    assert.deepEqual(again.get('t\0a'), thing('a', 2));
    const bytes = again.get('bytes') as Record<string, unknown>;
    assert.ok(Buffer.isBuffer(bytes['raw']));
    assert.ok(Object.hasOwn(bytes, 'missing'), 'an undefined property is kept, as stored');
    assert.ok(Object.is(bytes['neg'], -0) && Number.isNaN(bytes['nan']));
  });

  it('stores a copy: later changes to the caller’s object do not leak in, and stored values are frozen', async (t) => {
    const { store } = await open(t, createTempDir(t));
    const value = { a: { b: [1, 2] } };
    store.put('k', value);
    value.a.b.push(3);
    assert.deepEqual(store.get('k'), { a: { b: [1, 2] } });
    const got = store.get('k') as { a: { b: number[] } };
    assert.equal(store.get('k'), got, 'returned as stored, not copied per get');
    assert.throws(() => got.a.b.push(4), TypeError);
  });

  it('writes nothing for a delete or deletePrefix that matches nothing, or an empty batch', async (t) => {
    const { store } = await open(t, createTempDir(t));
    store.put('a', 1);
    const appended = store.stats().journal.appended;
    store.delete('b');
    assert.equal(store.deletePrefix('x'), 0);
    store.batch([]);
    assert.equal(store.stats().journal.appended, appended);
    assert.equal(store.deletePrefix(''), 1, "'' deletes everything");
    assert.equal(store.size, 0);
  });

  it('compaction keeps exactly the live records, and the replay after it equals the state before', async (t) => {
    const dir = createTempDir(t);
    const { store } = await open(t, dir, { compactMinBytes: 0 });
    for (let i = 0; i < 200; i++) {
      store.put(`t\0${i % 20}`, thing(String(i % 20), i));
      store.put(`f\0${i % 20}\0${i % 7}`, { properties: { i } });
      if (i % 3 === 0) store.delete(`t\0${(i + 5) % 20}`);
      if (i % 50 === 49) store.deletePrefix(`f\0${i % 20}\0`);
    }
    const before = dump(store);
    await store.compact();
    assert.deepEqual(dump(store), before);
    await store.close();

    const snaps = files(dir, '.snap');
    assert.equal(snaps.length, 1);
    const ops = recordsOf(join(dir, snaps[0]!));
    assert.ok(ops.every((r) => r.length === 1 && 'put' in r[0]!), 'one put per record');
    const snapKeys = ops.map((r) => (r[0] as { put: [string, unknown] }).put[0]).sort();
    assert.deepEqual(snapKeys, Object.keys(before), 'every live key once, nothing else');
    assert.deepEqual(files(dir, '.log').flatMap((f) => recordsOf(join(dir, f))), [], 'no older segment left');

    const { store: again } = await open(t, dir);
    assert.deepEqual(dump(again), before);
  });

  it('compacts many updates of one key to a small directory on its own', async (t) => {
    const dir = createTempDir(t);
    const { store } = await open(t, dir, { compactMinBytes: 8 * 1024, maxSegmentBytes: 16 * 1024 });
    const pad = 'x'.repeat(100);
    for (let i = 0; i < 5000; i++) {
      store.put('t\0hot', { i, pad });
      if (i % 100 === 99) await store.written();
    }
    await store.flush();
    await waitFor(() => store.stats().journal.compactions > 0, 10_000, 'an automatic compaction');
    await store.close();
    const bytes = dirBytes(dir);
    assert.ok(bytes < 64 * 1024, `${bytes} bytes left of ~600 KiB written`);
    const { store: again } = await open(t, dir);
    assert.deepEqual(again.keys(), ['t\0hot']);
    assert.deepEqual(again.get('t\0hot'), { i: 4999, pad });
  });

  it('a batch torn anywhere is all or nothing after a reopen', async (t) => {
    const base = createTempDir(t);
    const { store } = await open(t, base);
    store.put('t\0x', thing('x', 1));
    store.put('f\0x\0old', { properties: { v: 0 } });
    await store.close();
    const { store: writer } = await open(t, base);
    const batch: RecordStoreOp[] = [
      { deletePrefix: 'f\0x\0' },
      { put: ['t\0x', thing('x', 2)] },
      { put: ['f\0x\0a', { properties: { v: 'a'.repeat(300) } }] },
      { put: ['f\0x\0b', { properties: { v: 'b'.repeat(300) } }] },
    ];
    writer.batch(batch);
    await writer.close();
    // each open writes to a fresh segment: the last one holds the batch record alone
    const seg = files(base, '.log').at(-1)!;
    const full = statSync(join(base, seg)).size;
    assert.equal(recordsOf(join(base, seg)).length, 1);
    const before = { 'f\0x\0old': { properties: { v: 0 } }, 't\0x': thing('x', 1) };
    const after = { 'f\0x\0a': { properties: { v: 'a'.repeat(300) } }, 'f\0x\0b': { properties: { v: 'b'.repeat(300) } }, 't\0x': thing('x', 2) };

    const cuts = [FILE_HEADER_BYTES, FILE_HEADER_BYTES + 4, FILE_HEADER_BYTES + RECORD_HEADER_BYTES + 1, Math.floor(full / 2), full - 300, full - 1];
    for (const cut of [...cuts, full]) {
      const dir = createTempDir(t);
      cpSync(base, dir, { recursive: true });
      truncateSync(join(dir, seg), cut);
      const { store: again, lines } = await open(t, dir);
      assert.deepEqual(dump(again), cut === full ? after : before, `cut at ${cut} of ${full}`);
      if (cut > FILE_HEADER_BYTES && cut < full) assert.ok(lines.some((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD'), `torn tail logged (cut ${cut})`);
      await again.close();
    }
  });

  it('refuses bad keys and values with typed errors and stays usable', async (t) => {
    const dir = createTempDir(t);
    const { store } = await open(t, dir, { maxKeyBytes: 64, maxRecordBytes: 1024 });
    store.put('good', 1);
    const appended = store.stats().journal.appended;
    class Point {
      x = 1;
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const cases: [string, () => void, string][] = [
      ['a function', () => store.put('k', () => 1), 'LEDGE_STORE_UNENCODABLE'],
      ['a nested function', () => store.put('k', { cb: () => 1 }), 'LEDGE_STORE_UNENCODABLE'],
      ['a bigint', () => store.put('k', { n: [1n] }), 'LEDGE_STORE_UNENCODABLE'],
      ['a symbol', () => store.put('k', Symbol('s')), 'LEDGE_STORE_UNENCODABLE'],
      ['a Map', () => store.put('k', new Map()), 'LEDGE_STORE_UNENCODABLE'],
      ['a Date', () => store.put('k', { at: new Date() }), 'LEDGE_STORE_UNENCODABLE'],
      ['a class instance', () => store.put('k', new Point()), 'LEDGE_STORE_UNENCODABLE'],
      ['a cycle', () => store.put('k', cyclic), 'LEDGE_STORE_UNENCODABLE'],
      ['undefined', () => store.put('k', undefined), 'LEDGE_STORE_UNENCODABLE'],
      ['an oversized key', () => store.put('k'.repeat(65), 1), 'LEDGE_STORE_INVALID_KEY'],
      ['an oversized multi-byte key', () => store.put('é'.repeat(33), 1), 'LEDGE_STORE_INVALID_KEY'],
      ['a lone surrogate', () => store.put('\uD800', 1), 'LEDGE_STORE_INVALID_KEY'],
      ['a non-string key', () => store.put(7 as unknown as string, 1), 'LEDGE_STORE_INVALID_KEY'],
      ['an oversized prefix', () => store.deletePrefix('p'.repeat(65)), 'LEDGE_STORE_INVALID_KEY'],
      ['an oversized record', () => store.put('k', 'v'.repeat(2000)), 'LEDGE_STORE_RECORD_TOO_LARGE'],
      ['a bad op in a batch', () => store.batch([{ put: ['a', 1] }, { put: ['b', () => 2] }]), 'LEDGE_STORE_UNENCODABLE'],
      ['a malformed op', () => store.batch([{ put: ['a', 1] }, {} as RecordStoreOp]), 'LEDGE_STORE_UNENCODABLE'],
      ['an oversized batch', () => store.batch([{ put: ['a', 'v'.repeat(600)] }, { put: ['b', 'v'.repeat(600)] }]), 'LEDGE_STORE_RECORD_TOO_LARGE'],
    ];
    for (const [what, fn, code] of cases) assert.throws(fn, { code }, what);
    assert.throws(() => store.put('k', { cb: () => 1 }), /function at \.cb/, 'the error names where');
    assert.equal(store.stats().journal.appended, appended, 'nothing written');
    assert.deepEqual(dump(store), { good: 1 }, 'nothing changed');

    store.put('é'.repeat(32), { ok: true });
    store.put('k', 'v'.repeat(1000));
    await store.close();
    const { store: again } = await open(t, dir);
    assert.deepEqual(again.keys(), ['good', 'k', 'é'.repeat(32)]);
  });

  it('after a failed write (disk full) refuses changes, keeps lookups, and reopens to what was written', async (t) => {
    const dir = createTempDir(t);
    let full = false;
    const fs: JournalFs = {
      ...nodeJournalFs,
      write: (fd, buf) => (full ? Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) : nodeJournalFs.write(fd, buf)),
    };
    const store = createRecordStore({ dir, logger: captureLogger().logger, fs });
    await store.open();
    store.put('a', 1);
    await store.flush();
    full = true;
    store.put('b', 2);
    await assert.rejects(store.flush(), { code: 'LEDGE_STORE_WRITE_FAILED' });
    assert.throws(() => store.put('c', 3), { code: 'LEDGE_STORE_WRITE_FAILED' });
    assert.throws(() => store.batch([{ delete: 'a' }, { put: ['c', 3] }]), { code: 'LEDGE_STORE_WRITE_FAILED' });
    assert.deepEqual(dump(store), { a: 1, b: 2 }, 'a refused change is not applied; lookups work');
    assert.equal(store.stats().journal.failed, true);
    await assert.rejects(store.close(), { code: 'LEDGE_STORE_WRITE_FAILED' });
    full = false;
    const { store: again } = await open(t, dir);
    assert.deepEqual(dump(again), { a: 1 });
  });

  it('a lower maxRecordBytes never cuts off larger records written before', async (t) => {
    const dir = createTempDir(t);
    const { store } = await open(t, dir);
    store.put('big', 'v'.repeat(10_000));
    await store.close();
    const { store: again, lines } = await open(t, dir, { maxRecordBytes: 100 });
    assert.equal((again.get('big') as string).length, 10_000);
    assert.ok(!lines.some((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD'));
  });

  it('flush and written resolve under each fsync policy', async (t) => {
    for (const fsync of ['always', 'interval', 'never'] as const) {
      const { store } = await open(t, createTempDir(t), { fsync });
      store.put('a', fsync);
      await store.written();
      assert.equal(store.stats().journal.written, 1);
      store.put('b', fsync);
      await store.flush();
      assert.equal(store.stats().journal[fsync === 'never' ? 'written' : 'synced'], 2, fsync);
      await store.close();
    }
  });

  it('throws typed errors before open and after close; close is idempotent', async (t) => {
    const dir = createTempDir(t);
    const store = createRecordStore({ dir, logger: captureLogger().logger });
    assert.throws(() => store.get('a'), { code: 'LEDGE_STORE_NOT_OPEN' });
    assert.throws(() => store.put('a', 1), { code: 'LEDGE_STORE_NOT_OPEN' });
    await assert.rejects(store.flush(), { code: 'LEDGE_STORE_NOT_OPEN' });
    await store.open();
    await assert.rejects(store.open(), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
    store.put('a', 1);
    await store.close();
    await store.close();
    for (const fn of [() => store.get('a'), () => store.has('a'), () => store.keys(), () => store.put('a', 2), () => store.delete('a'), () => store.deletePrefix('a'), () => store.batch([{ delete: 'a' }])]) {
      assert.throws(fn, { code: 'LEDGE_STORE_CLOSED' });
    }
    await assert.rejects(store.flush(), { code: 'LEDGE_STORE_CLOSED' });
    await assert.rejects(store.written(), { code: 'LEDGE_STORE_CLOSED' });
    await assert.rejects(store.compact(), { code: 'LEDGE_STORE_CLOSED' });
    await assert.rejects(store.open(), { code: 'LEDGE_STORE_CLOSED' });
    assert.equal(store.stats().keys, 1);
    assert.throws(() => createRecordStore({ dir, logger: captureLogger().logger, maxKeyBytes: 0 }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
    assert.throws(() => createRecordStore({ dir, logger: captureLogger().logger, fsync: 'sometimes' as 'never' }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
  });
});
