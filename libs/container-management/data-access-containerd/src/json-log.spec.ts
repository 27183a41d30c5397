import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTempDir } from '@ledge/shared/util/testing';
import { JsonLogWriter, followLog, logTime, readLogLines } from './json-log';

test('json-file writer: lines per stream, partial lines kept, rotation by size and file count', (t) => {
  const file = join(createTempDir(t), 'json.log');
  const w = new JsonLogWriter({ file, maxSizeBytes: 300, maxFiles: 3 });
  w.write('stdout', Buffer.from('a1\na2'));
  w.write('stderr', Buffer.from('e1\n'));
  w.write('stdout', Buffer.from('-end\n'));
  const first = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string });
  assert.deepEqual(first.map((l) => [l.stream, l.log]), [['stdout', 'a1\n'], ['stderr', 'e1\n'], ['stdout', 'a2-end\n']]);
  for (let i = 0; i < 20; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
  w.close();
  assert.ok(existsSync(`${file}.1`) && existsSync(`${file}.2`) && !existsSync(`${file}.3`), 'at most maxFiles files');
  const all = readLogLines(file, 3);
  assert.equal(all.at(-1)?.log, 'line 19\n', 'newest last');
  assert.deepEqual(readLogLines(file, 3, 2).map((l) => l.log), ['line 18\n', 'line 19\n']);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.time <= all[i]!.time, 'oldest file first');
});

test('followLog yields appended lines until aborted', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] }); // the follower's poll
  const file = join(createTempDir(t), 'json.log');
  const w = new JsonLogWriter({ file, maxSizeBytes: 1e6, maxFiles: 2 });
  w.write('stdout', Buffer.from('old\n'));
  const ac = new AbortController();
  const seen: string[] = [];
  // The loop's first next() runs the generator at once: it follows from the current end, after 'old'.
  const done = (async () => {
    for await (const l of followLog(file, ac.signal, 20)) {
      seen.push(l.log);
      if (seen.length === 2) ac.abort();
    }
  })();
  w.write('stdout', Buffer.from('new1\nnew2\n'));
  t.mock.timers.tick(20);
  await done;
  w.close();
  assert.deepEqual(seen, ['new1\n', 'new2\n']);
});

test('followLog across rotations: the rest of the followed file and every file rotated since come before the new one', async (t) => {
  const file = join(createTempDir(t), 'json.log');
  const w = new JsonLogWriter({ file, maxSizeBytes: 300, maxFiles: 5 });
  w.write('stdout', Buffer.from('before\n'));
  const ac = new AbortController();
  const it = followLog(file, ac.signal, 50);
  const first = it.next(); // starts following at the current end
  // Within one poll: the followed file gets more lines, is rotated to .2 by way of .1, and the new file starts.
  for (let i = 0; i < 9; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
  assert.ok(existsSync(`${file}.2`), 'rotated twice within one poll');
  const seen: string[] = [];
  const deadline = setTimeout(() => ac.abort(), 3_000); // a follower that skips lines stops here
  for (let r = await first; !r.done; r = await it.next()) {
    seen.push(r.value.log);
    if (seen.length === 9) ac.abort();
  }
  clearTimeout(deadline);
  w.close();
  assert.deepEqual(seen, Array.from({ length: 9 }, (_, i) => `line ${i}\n`));
});

test('log stamps: RFC 3339 with nanoseconds, never going backwards between lines (docker readers sort by them)', () => {
  let prev = '';
  for (let i = 0; i < 20_000; i++) {
    const t = logTime();
    assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(t >= prev, `${t} after ${prev}`);
    prev = t;
  }
  assert.ok(Math.abs(Date.parse(prev) - Date.now()) < 1000, 'wall-clock time');
});
