import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createJournal, type FsyncPolicy, type Journal } from './journal';
import { nodeJournalFs, type JournalFs } from './journal-fs';
import { kvState, openKvJournal } from './testing/kv-journal';

const kv = kvState;
const open = openKvJournal;

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.log')).sort();

describe('journal', () => {
  for (const fsync of ['always', 'interval', 'never'] as FsyncPolicy[]) {
    it(`replays every record in order after a clean close (fsync ${fsync})`, async (t) => {
      const dir = createTempDir(t);
      const a = await open(dir, { fsync });
      for (let i = 0; i < 500; i++) a.put(`k${i % 50}`, String(i));
      await a.journal.flush();
      assert.equal(a.journal.stats().written, 500);
      await a.journal.close();
      const b = await open(dir, { fsync });
      assert.deepEqual(b.state.map, a.state.map);
      assert.equal(b.summary.records, 500);
      await b.journal.close();
    });
  }

  it('group-commits the appends of one event-loop turn into one write', async (t) => {
    const dir = createTempDir(t);
    let writes = 0;
    const fs: JournalFs = { ...nodeJournalFs, write: (fd, buf) => (writes++, nodeJournalFs.write(fd, buf)) };
    const a = await open(dir, { fs, fsync: 'always' });
    writes = 0;
    const flushes = [];
    for (let i = 0; i < 1000; i++) {
      a.put(`k${i}`, 'v');
      flushes.push(a.journal.flush());
    }
    await Promise.all(flushes);
    assert.equal(writes, 1);
    assert.equal(a.journal.stats().synced, 1000);
    await a.journal.close();
  });

  it('lets the flushes of one pending batch share a waiter, yet never settles a flush before its own record is synced', async (t) => {
    const dir = createTempDir(t);
    let gate: (() => void) | undefined;
    const fs: JournalFs = {
      ...nodeJournalFs,
      // The first fdatasync waits for the test, so a second batch is appended while it runs.
      fdatasync: async (fd) => {
        if (gate === undefined) await new Promise<void>((r) => (gate = r));
        return nodeJournalFs.fdatasync(fd);
      },
    };
    const a = await open(dir, { fs, fsync: 'interval', fsyncIntervalMs: 60_000 });
    a.put('a', '1');
    const first = a.journal.flush();
    a.put('b', '2');
    assert.equal(a.journal.flush(), first, 'same pending batch: one shared promise');
    while (gate === undefined) await new Promise((r) => setImmediate(r));
    a.put('c', '3');
    let secondDone = false;
    const second = a.journal.flush().then(() => (secondDone = true));
    assert.notEqual(second, first);
    gate();
    await first;
    assert.ok(a.journal.stats().synced >= 2);
    if (a.journal.stats().synced < 3) assert.equal(secondDone, false, 'not settled by the first sync');
    await second;
    assert.equal(a.journal.stats().synced, 3, 'the later record got its own fdatasync');
    await a.journal.close();
  });

  it('syncs on the interval only while there is unsynced data, and flush() forces it', async (t) => {
    // Fake interval timer (the writer's setImmediate and the file I/O stay real): the ticks below are the
    // interval firing four times, without waiting on the wall clock.
    t.mock.timers.enable({ apis: ['setInterval'] });
    const dir = createTempDir(t);
    let syncs = 0;
    let synced: () => void = () => undefined;
    const fs: JournalFs = {
      ...nodeJournalFs,
      fdatasync: async (fd) => {
        syncs++;
        await nodeJournalFs.fdatasync(fd);
        synced();
      },
    };
    const a = await open(dir, { fs, fsync: 'interval', fsyncIntervalMs: 20 });
    a.put('a', '1');
    await a.journal.written();
    assert.equal(syncs, 0, 'no sync before the interval fires');
    const firstSync = new Promise<void>((r) => (synced = r));
    t.mock.timers.tick(20);
    assert.equal(syncs, 1, 'the interval syncs the unsynced write');
    await firstSync;
    await new Promise((r) => setImmediate(r)); // the journal counts the sync in the microtasks after fdatasync returns
    for (let i = 0; i < 3; i++) t.mock.timers.tick(20);
    assert.equal(syncs, 1, 'one sync for the one write, none while idle');
    assert.equal(a.journal.stats().synced, 1);
    a.put('b', '2');
    await a.journal.flush();
    assert.equal(syncs, 2);
    await a.journal.close();
  });

  it('written() settles once the records are in the file, without waiting for fdatasync; flush() waits for it', async (t) => {
    const dir = createTempDir(t);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const fs: JournalFs = { ...nodeJournalFs, fdatasync: async (fd) => (await gate, nodeJournalFs.fdatasync(fd)) };
    const a = await open(dir, { fs, fsync: 'always' });
    a.put('a', '1');
    const w1 = a.journal.written();
    a.put('b', '2');
    const w2 = a.journal.written();
    assert.equal(w1, w2, 'one pending batch: one shared promise');
    let flushed = false;
    const flush = a.journal.flush().then(() => (flushed = true));
    await w2;
    assert.equal(a.journal.stats().written, 2, 'both records written');
    assert.equal(a.journal.stats().synced, 0, 'none synced yet');
    assert.equal(flushed, false, 'flush() still waits for the fdatasync');
    release();
    await flush;
    await a.journal.written(); // nothing pending: settles at once
    await a.journal.close();
  });

  it('written() rejects when the write fails', async (t) => {
    const dir = createTempDir(t);
    let failing = false;
    const fs: JournalFs = { ...nodeJournalFs, write: (fd, data) => (failing ? Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' })) : nodeJournalFs.write(fd, data)) };
    const a = await open(dir, { fs, fsync: 'never' });
    failing = true;
    a.put('a', '1');
    await assert.rejects(a.journal.written(), (err: Error & { code?: string }) => err.code === 'LEDGE_STORE_WRITE_FAILED');
    await a.journal.close().catch(() => undefined);
  });

  it('treats a record that does not replay as skipped, not fatal', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir);
    a.put('a', '1');
    a.journal.append(Buffer.from('boom'));
    a.put('b', '2');
    await a.journal.close();
    const captured = captureLogger();
    const state = kv();
    const j = createJournal({ dir, logger: captured.logger });
    const summary = await j.open({
      replay: (p) => {
        if (p.toString() === 'boom') throw new Error('bad record');
        state.replay(p);
      },
      snapshot: () => state.snapshot(),
    });
    assert.equal(summary.skipped, 1);
    assert.deepEqual([...state.map.keys()], ['a', 'b']);
    await j.close();
  });

  it('rotates segments at maxSegmentBytes and replays them all', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir, { maxSegmentBytes: 1024, compactMinBytes: 0 });
    for (let i = 0; i < 200; i++) {
      a.put(`key${i}`, 'x'.repeat(40));
      if (i % 20 === 0) await a.journal.flush();
    }
    await a.journal.close();
    assert.ok(segments(dir).length >= 5, `expected several segments, got ${segments(dir).length}`);
    const b = await open(dir, { compactMinBytes: 0 });
    assert.equal(b.state.map.size, 200);
    await b.journal.close();
  });

  it('compacts into a snapshot, deletes the replaced segments, and reopens to the same state', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir, { maxSegmentBytes: 512, compactMinBytes: 0 });
    for (let i = 0; i < 300; i++) {
      a.put(`k${i % 10}`, String(i));
      if (i % 10 === 0) await a.journal.flush();
    }
    await a.journal.flush();
    const before = segments(dir).length;
    assert.ok(before > 3);
    await a.journal.compact();
    a.put('late', 'write');
    await a.journal.close();
    const files = readdirSync(dir);
    assert.equal(files.filter((n) => n.endsWith('.snap')).length, 1);
    assert.ok(segments(dir).length <= 2, `old segments deleted, left: ${segments(dir).join()}`);
    assert.equal(a.journal.stats().compactions, 1);

    const b = await open(dir);
    assert.deepEqual(b.state.map, a.state.map);
    assert.equal(b.summary.records, 11, '10 live keys in the snapshot + 1 later record');
    await b.journal.close();
  });

  it('compacts automatically once the log outgrows the snapshot', async (t) => {
    const dir = createTempDir(t);
    const a = await open(dir, { compactMinBytes: 2048, compactRatio: 2, maxSegmentBytes: 1 << 20 });
    for (let i = 0; i < 400; i++) {
      a.put('same-key', String(i));
      await a.journal.flush();
    }
    await a.journal.close();
    assert.ok(a.journal.stats().compactions >= 1);
    const b = await open(dir);
    assert.equal(b.state.map.get('same-key'), '399');
    await b.journal.close();
  });

  it('fails stop on a write error: flush rejects, later appends throw, both with LEDGE_STORE_WRITE_FAILED', async (t) => {
    const dir = createTempDir(t);
    let full = false;
    const fs: JournalFs = {
      ...nodeJournalFs,
      write: (fd, buf) => (full ? Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) : nodeJournalFs.write(fd, buf)),
    };
    const a = await open(dir, { fs });
    a.put('a', '1');
    await a.journal.flush();
    full = true;
    a.put('b', '2');
    await assert.rejects(a.journal.flush(), { code: 'LEDGE_STORE_WRITE_FAILED' });
    assert.throws(() => a.put('c', '3'), (err: { code: string; details: { errno: string } }) => err.code === 'LEDGE_STORE_WRITE_FAILED' && err.details.errno === 'ENOSPC');
    assert.ok(a.lines.some((l) => l['level'] === 'error' && l['code'] === 'LEDGE_STORE_WRITE_FAILED'));
    assert.equal(a.journal.stats().failed, true);
    await assert.rejects(a.journal.close(), { code: 'LEDGE_STORE_WRITE_FAILED' });
    full = false;
    const b = await open(dir);
    assert.equal(b.state.map.get('a'), '1');
    await b.journal.close();
  });

  it('rejects use before open and after close, and bad options', async (t) => {
    const dir = createTempDir(t);
    const { logger } = captureLogger();
    const j: Journal = createJournal({ dir, logger });
    assert.throws(() => j.append(Buffer.from('x')), { code: 'LEDGE_STORE_NOT_OPEN' });
    await j.open(kv());
    await j.close();
    await j.close();
    assert.throws(() => j.append(Buffer.from('x')), { code: 'LEDGE_STORE_CLOSED' });
    assert.throws(() => createJournal({ dir, logger, fsync: 'sometimes' as FsyncPolicy }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
    assert.throws(() => createJournal({ dir: '', logger }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
    assert.throws(() => createJournal({ dir, logger, maxSegmentBytes: -1 }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
  });
});
