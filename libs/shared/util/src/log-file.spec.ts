import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogFileStream, logFilePaths } from './log-file';
import { createLogger } from './logger';
import { createTempDir } from './testing/processes';

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('log file', () => {
  it('creates the directory 0750 and the file 0640, and appends', (t) => {
    const dir = join(createTempDir(t), 'a', 'logs');
    const s = createLogFileStream({ dir, name: 'broker' });
    s.write('{"n":1}\n');
    s.write('{"n":2}\n');
    s.close();
    assert.equal(s.path, join(dir, 'broker.log'));
    assert.equal(statSync(dir).mode & 0o777, 0o750);
    assert.equal(statSync(s.path).mode & 0o777, 0o640);
    assert.deepEqual(lines(s.path), ['{"n":1}', '{"n":2}']);
    // a second process start appends
    const again = createLogFileStream({ dir, name: 'broker' });
    again.write('{"n":3}\n');
    again.close();
    assert.equal(lines(s.path).length, 3);
  });

  it('rotates before a write would pass maxBytes: .1 newest, .3 oldest, the rest dropped', (t) => {
    const dir = createTempDir(t);
    const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(80) })}\n`; // ~100 bytes
    const s = createLogFileStream({ dir, name: 'app', maxBytes: 250 }); // two lines a file
    for (let n = 1; n <= 11; n++) s.write(line(n));
    s.close();
    const [cur, r1, r2, r3] = logFilePaths(dir, 'app');
    const ns = (p: string) => lines(p).map((l) => (JSON.parse(l) as { n: number }).n);
    assert.deepEqual(ns(cur!), [11]);
    assert.deepEqual(ns(r1!), [9, 10]);
    assert.deepEqual(ns(r2!), [7, 8]);
    assert.deepEqual(ns(r3!), [5, 6]);
    assert.equal(existsSync(`${cur}.4`), false);
    for (const p of [cur!, r1!, r2!, r3!]) assert.ok(statSync(p).size <= 250, p);
  });

  it('a line longer than maxBytes goes whole into a file of its own', (t) => {
    const dir = createTempDir(t);
    const s = createLogFileStream({ dir, name: 'app', maxBytes: 10 });
    s.write('{"a":"0123456789"}\n');
    s.write('{"b":1}\n');
    s.close();
    assert.deepEqual(lines(join(dir, 'app.log.1')), ['{"a":"0123456789"}']);
    assert.deepEqual(lines(join(dir, 'app.log')), ['{"b":1}']);
  });

  it('a directory that is a file is refused at open', (t) => {
    const file = join(createTempDir(t), 'f');
    writeFileSync(file, '');
    assert.throws(() => createLogFileStream({ dir: file, name: 'x' }), /EEXIST|ENOTDIR/);
  });

  it('a failing write is told once and never thrown into the app', (t) => {
    const dir = join(createTempDir(t), 'logs');
    const errors: Error[] = [];
    const s = createLogFileStream({ dir, name: 'x', maxBytes: 10, onError: (e) => errors.push(e) });
    s.write('{"n":1}\n');
    rmSync(dir, { recursive: true }); // the directory goes away: the rotation cannot open a new file
    assert.doesNotThrow(() => s.write('{"n":2}\n'));
    assert.doesNotThrow(() => s.write('{"n":3}\n'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /ENOENT/);
    s.close();
  });

  it('the logger writes the JSON lines to stdout and the file, the file never pretty', (t) => {
    const dir = createTempDir(t);
    const out: string[] = [];
    const dest = { write: (s: string) => void out.push(s), isTTY: true } as unknown as NodeJS.WritableStream;
    const logger = createLogger({ name: 'broker', level: 'debug', destination: dest, file: { dir } });
    logger.child({ app: 'x' }).debug({ password: 'hunter2' }, 'hello');
    logger.trace('not at debug');
    const file = lines(join(dir, 'broker.log')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(file.length, 1);
    assert.deepEqual([file[0]!['msg'], file[0]!['app'], file[0]!['level'], file[0]!['password']], ['hello', 'x', 'debug', '[redacted]']);
    assert.equal(typeof file[0]!['time'], 'string');
    assert.equal(out.length, 1);
    assert.ok(!out[0]!.startsWith('{'), 'the terminal gets the pretty form');
  });
});
