// Recovery of a journal directory after crashes, power cuts and media damage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createJournal } from './journal';
import { nodeJournalFs, type JournalFs } from './journal-fs';
import { kvState, openKvJournal as open } from './testing/kv-journal';

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.log')).sort();

describe('journal recovery', () => {
  it('cuts a torn tail off, warns once, and keeps appending after it', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir);
    for (let i = 0; i < 10; i++) a.put(`k${i}`, String(i));
    await a.journal.close();
    const [seg] = segments(dir);
    const path = join(dir, seg!);
    const size = statSync(path).size;
    truncateSync(path, size - 3); // the last record loses its end, as in a power cut mid-write

    const b = await open(dir);
    assert.equal(b.state.map.size, 9);
    assert.equal(b.state.map.has('k9'), false);
    const warn = b.lines.find((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD');
    assert.equal(warn?.['level'], 'warn');
    assert.equal(warn?.['problem'], 'torn');
    assert.equal(b.summary.truncatedBytes, size - 3 - (warn?.['offset'] as number));
    b.put('after', 'tear');
    await b.journal.close();

    const c = await open(dir);
    assert.equal(c.state.map.get('after'), 'tear');
    assert.equal(c.state.map.size, 10);
    assert.equal(c.lines.filter((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD').length, 0, 'tail was truncated for good');
    await c.journal.close();
  });


  it('stops at a record whose checksum does not match, and at zero-filled blocks', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir);
    for (let i = 0; i < 5; i++) a.put(`k${i}`, 'value');
    await a.journal.close();
    const path = join(dir, segments(dir)[0]!);
    const bytes = readFileSync(path);
    const recordBytes = (bytes.length - 8) / 5;
    const at = 8 + 3 * recordBytes + 10;
    bytes[at] = bytes[at]! ^ 0xff; // flip bits inside the 4th record's payload
    writeFileSync(path, bytes);
    appendFileSync(path, Buffer.alloc(4096)); // and a zero-filled tail after it

    const b = await open(dir);
    assert.deepEqual([...b.state.map.keys()], ['k0', 'k1', 'k2']);
    assert.equal(b.lines.find((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD')?.['problem'], 'checksum');
    await b.journal.close();

    // zero-filled blocks alone (crc32 of nothing is 0, so they would look valid without the length check)
    appendFileSync(join(dir, segments(dir).at(-1)!), Buffer.alloc(64));
    const c = await open(dir);
    assert.equal(c.lines.find((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD')?.['problem'], 'zero-length');
    await c.journal.close();
  });


  it('recovers from a compaction interrupted before and after the rename', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir, { compactMinBytes: 0 });
    for (let i = 0; i < 20; i++) a.put(`k${i}`, String(i));
    await a.journal.close();
    // before the rename: a half-written temp file is ignored and removed
    writeFileSync(join(dir, 'snapshot-0000000000000099.tmp'), 'half');
    const b = await open(dir, { compactMinBytes: 0 });
    assert.equal(b.state.map.size, 20);
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')));
    // after the rename but before the cleanup: segments older than the snapshot are superseded
    const olderSegments = segments(dir);
    await b.journal.compact();
    b.put('k0', 'changed');
    await b.journal.close();
    for (const s of olderSegments) writeFileSync(join(dir, s), 'stale bytes that must never be replayed');
    const c = await open(dir);
    assert.equal(c.state.map.get('k0'), 'changed');
    assert.equal(c.state.map.size, 20);
    assert.ok(olderSegments.every((s) => !readdirSync(dir).includes(s)));
    await c.journal.close();
  });


  it('refuses files of a newer format version without touching them', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir);
    a.put('a', '1');
    await a.journal.close();
    const path = join(dir, segments(dir)[0]!);
    const bytes = readFileSync(path);
    bytes[4] = 99;
    writeFileSync(path, bytes);
    const j = createJournal({ dir, logger: captureLogger().logger });
    await assert.rejects(j.open(kvState()), { code: 'LEDGE_STORE_UNSUPPORTED_FORMAT' });
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('sets a file with a foreign header aside instead of replaying or deleting it', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir);
    a.put('a', '1');
    await a.journal.close();
    writeFileSync(join(dir, '0000000000000000.log'), 'not a journal segment at all');
    const b = await open(dir);
    assert.equal(b.state.map.get('a'), '1');
    assert.equal(b.lines.find((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD')?.['problem'], 'header');
    assert.ok(readdirSync(dir).includes('0000000000000000.log.corrupt'));
    await b.journal.close();
  });

  it('keeps what decodes of a damaged snapshot, logs an error, and sets the file aside', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir, { compactMinBytes: 0 });
    for (let i = 0; i < 10; i++) a.put(`k${i}`, 'v');
    await a.journal.compact();
    a.put('later', 'v');
    await a.journal.close();
    const snap = readdirSync(dir).find((n) => n.endsWith('.snap'))!;
    const path = join(dir, snap);
    const bytes = readFileSync(path);
    const at = bytes.length - 3;
    bytes[at] = bytes[at]! ^ 0xff; // damage the last record
    writeFileSync(path, bytes);
    const b = await open(dir);
    assert.equal(b.state.map.size, 10, '9 keys from the snapshot, 1 from the later segment');
    assert.equal(b.state.map.get('later'), 'v');
    const line = b.lines.find((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD');
    assert.equal(line?.['level'], 'error');
    assert.ok(readdirSync(dir).includes(`${snap}.corrupt`));
    await b.journal.close();
  });

  it('goes on without a snapshot when writing one fails', async (t) => {
    const dir = createTempDir(t);
    let failRename = true;
    const fs: JournalFs = {
      ...nodeJournalFs,
      rename: (from, to) => (failRename ? Promise.reject(Object.assign(new Error('i/o error'), { code: 'EIO' })) : nodeJournalFs.rename(from, to)),
    };
    const a = await open(dir, { fs, compactMinBytes: 0 });
    for (let i = 0; i < 10; i++) a.put(`k${i}`, 'v');
    await assert.rejects(a.journal.compact(), { code: 'LEDGE_STORE_COMPACTION_FAILED' });
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp') || n.endsWith('.snap')));
    a.put('after', 'v');
    failRename = false;
    await a.journal.compact();
    await a.journal.close();
    const b = await open(dir);
    assert.equal(b.state.map.size, 11);
    await b.journal.close();
  });
});
