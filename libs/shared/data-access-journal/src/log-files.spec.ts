import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogFileStream } from '@ledge/shared/util';
import { createTempDir, waitFor } from '@ledge/shared/util/testing';
import { followLogFiles } from './follow-log-files';
import { appOfRecord, JournalUnavailableError, type JournalRecord } from './journal';
import { createLogFileReader, logFileOfUnit, readLogFilesText, unitOfLogFile } from './log-files';

const T0 = Date.parse('2026-12-07T08:00:00.000Z');
/** A pino line at T0 + s seconds (ISO time, as createLogger writes), or with epoch-ms time. */
const line = (s: number, msg: string, extra: Record<string, unknown> = {}, epoch = false) =>
  JSON.stringify({ level: 'info', time: epoch ? T0 + s * 1000 : new Date(T0 + s * 1000).toISOString(), ...extra, msg });
const write = (dir: string, file: string, ls: string[]) => writeFileSync(join(dir, file), ls.map((l) => `${l}\n`).join(''));
const msgs = (rs: readonly JournalRecord[]) => rs.map((r) => (JSON.parse(r.message) as { msg: string }).msg);

/** broker.log with two rotated files, ledge.log of the all-in-one process, garbage in between. */
function fixture(dir: string): void {
  write(dir, 'broker.log.2', [line(0, 'b0'), line(2, 'b2')]);
  write(dir, 'broker.log.1', [line(4, 'b4'), 'not json', '{"torn":', line(6, 'b6', {}, true)]);
  write(dir, 'broker.log', [line(8, 'b8'), JSON.stringify({ msg: 'no time' }), line(10, 'b10')]);
  write(dir, 'ledge.log', [line(1, 'l1', { name: 'ledge' }), line(5, 'fu5', { name: 'ledge', app: 'file-upload' }), line(9, 'br9', { name: 'ledge', app: 'broker' })]);
  writeFileSync(join(dir, 'notes.txt'), 'not a log');
}

describe('log files as a journal', () => {
  it('maps file names and units both ways', () => {
    const table: [string, string][] = [['broker.log', 'ledge-broker.service'], ['file-upload.log', 'ledge-file-upload.service'], ['ledge.log', 'ledge.service']];
    for (const [file, unit] of table) {
      assert.equal(unitOfLogFile(file), unit);
      assert.equal(logFileOfUnit(unit), file);
    }
    assert.equal(unitOfLogFile('x.txt'), undefined);
    assert.equal(logFileOfUnit('sshd.service'), undefined);
  });

  it('reads the rotated set oldest first, merges units by time, skips garbage; appOfRecord works unchanged', async (t) => {
    const dir = createTempDir(t);
    fixture(dir);
    const reader = createLogFileReader(dir);
    const all = await reader.read({ units: ['ledge-broker.service', 'ledge.service'] });
    assert.deepEqual(msgs(all), ['b0', 'l1', 'b2', 'b4', 'fu5', 'b6', 'b8', 'br9', 'b10']);
    assert.equal(all.find((r) => r.message.includes('"b6"'))?.timeUs, (T0 + 6000) * 1000); // epoch-ms time
    assert.deepEqual(all.map(appOfRecord), ['broker', 'ledge', 'broker', 'broker', 'file-upload', 'broker', 'broker', 'broker', 'broker']);
    assert.deepEqual(msgs(await reader.read({ units: ['ledge-broker.service'] })), ['b0', 'b2', 'b4', 'b6', 'b8', 'b10']);
    assert.deepEqual(msgs(await reader.read({ units: [] })), msgs(all), 'no units: every log file');
    assert.deepEqual(await reader.read({ units: ['ledge-connector.service', 'sshd.service'] }), []);
  });

  it('honours the window, the last N over the selection and maxRecords', async (t) => {
    const dir = createTempDir(t);
    fixture(dir);
    const reader = createLogFileReader(dir);
    const units = ['ledge-broker.service', 'ledge.service'];
    const s = (x: number) => T0 / 1000 + x;
    assert.deepEqual(msgs(await reader.read({ units, sinceS: s(2), untilS: s(6) })), ['b2', 'b4', 'fu5', 'b6']);
    assert.deepEqual(msgs(await reader.read({ units, sinceS: s(8.5) })), ['br9', 'b10']);
    assert.deepEqual(msgs(await reader.read({ units, lines: 3 })), ['b8', 'br9', 'b10']);
    assert.deepEqual(msgs(await reader.read({ units, lines: 3, untilS: s(5) })), ['b2', 'b4', 'fu5']);
    assert.deepEqual(msgs(await reader.read({ units, lines: 100 })).length, 9);
    assert.deepEqual(await reader.read({ units, lines: 0 }), []);
    assert.deepEqual(msgs(await reader.read({ units, maxRecords: 2 })), ['b0', 'l1']);
  });

  it('a missing or unreadable directory is JournalUnavailableError naming it', async (t) => {
    const dir = createTempDir(t);
    const missing = join(dir, 'nope');
    await assert.rejects(createLogFileReader(missing).read({ units: [] }), (err: Error) => err instanceof JournalUnavailableError && err.message.includes(missing) && /ENOENT/.test(err.message));
    write(dir, 'file', []);
    await assert.rejects(createLogFileReader(join(dir, 'file')).read({ units: ['ledge.service'] }), JournalUnavailableError);
    mkdirSync(join(dir, 'empty'));
    await assert.rejects(readLogFilesText(join(dir, 'empty')), /no Ledge log files in/);
  });

  it('gives ledge diag the last lines as text', async (t) => {
    const dir = createTempDir(t);
    fixture(dir);
    const text = await readLogFilesText(dir, 2);
    const ls = text.split('\n').filter(Boolean);
    assert.equal(ls.length, 2);
    assert.match(ls[0]!, /^2026-12-07T08:00:09\.000Z ledge\.service: \{.*"msg":"br9"\}$/);
    assert.match(ls[1]!, /^2026-12-07T08:00:10\.000Z ledge-broker\.service: \{.*"msg":"b10"\}$/);
  });

  it('follows new lines across rotations (ledge logs -f)', async (t) => {
    const dir = createTempDir(t);
    const w = createLogFileStream({ dir, name: 'broker', maxBytes: 200 });
    t.after(() => w.close());
    w.write(`${line(0, 'before')}\n`);
    const got: string[] = [];
    const stop = new AbortController();
    let ready = false;
    const done = followLogFiles(dir, ['ledge-broker.service', 'ledge.service'], { onRecord: (r) => got.push(...msgs([r])), onReady: () => (ready = true), signal: stop.signal, pollMs: 10 });
    t.after(() => stop.abort());
    await waitFor(() => ready, 5000, 'the follower open');
    // each line ~70 bytes, two a file: of each pair the first ends a file (read through the handle still
    // open after the rename), the second starts the next one
    for (let i = 1; i <= 9; i += 2) {
      w.write(`${line(i, `n${i}`)}\n`);
      w.write(`${line(i + 1, `n${i + 1}`)}\n`);
      await waitFor(() => got.includes(`n${i + 1}`), 5000, `n${i + 1}, got ${got.join(',')}`);
    }
    const l = createLogFileStream({ dir, name: 'ledge' }); // a file that appears later is picked up too
    l.write(`${line(10, 'hosted', { app: 'broker' })}\n`);
    l.close();
    await waitFor(() => got.includes('hosted'), 5000, 'the new file');
    stop.abort();
    await done;
    assert.deepEqual(got.filter((m) => m !== 'hosted'), ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10']);
  });
});
