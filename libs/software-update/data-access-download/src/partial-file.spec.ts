// streamToFile: what arrived before a body error is in the file before the error is thrown; a refused
// batch (size limit) destroys the body; a file that cannot be opened fails the call and the body.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createTempDir } from '@ledge/shared/util/testing';
import { createInlineHasher } from './hasher';
import { streamToFile } from './partial-file';

const opts = { start: 0, bufferBytes: 64 * 1024, check: () => undefined, onWritten: () => undefined, onHashAhead: () => undefined };

describe('streamToFile', () => {
  it('writes every byte that arrived before the body failed, then throws the body error', async (t) => {
    const path = join(createTempDir(t), 'f');
    const fh = await open(path, 'w');
    const body = new PassThrough();
    const data = randomBytes(300_000);
    const positions: number[] = [];
    // the file opens late (after the body failed): the body is taken off the stream and held meanwhile
    let openFile: (f: typeof fh) => void = () => undefined;
    const file = new Promise<typeof fh>((r) => (openFile = r));
    const done = streamToFile(body, { ...opts, bufferBytes: 1024 * 1024, file, hash: createInlineHasher('sha256'), onWritten: (p) => positions.push(p) });
    let taken = 0;
    const allTaken = new Promise<void>((r) => body.on('data', (c: Buffer) => (taken += c.length) === data.length && r()));
    for (let at = 0; at < data.length; at += 30_000) body.write(data.subarray(at, at + 30_000));
    await allTaken;
    const closed = new Promise((r) => body.once('close', r));
    body.destroy(Object.assign(new Error('socket cut'), { code: 'UND_ERR_SOCKET' }));
    await closed; // the body's error and close are seen before the file opens
    openFile(fh);
    await assert.rejects(done, /socket cut/);
    await fh.close();
    assert.ok(readFileSync(path).equals(data), 'all 300,000 bytes are in the file');
    assert.equal(positions.at(-1), data.length);
  });

  it('a refused batch destroys the body and fails with the refusal', async (t) => {
    const fh = await open(join(createTempDir(t), 'g'), 'w');
    t.after(() => fh.close());
    const body = new PassThrough();
    const done = streamToFile(body, {
      ...opts,
      file: Promise.resolve(fh),
      hash: undefined,
      check: (pos) => {
        if (pos > 1000) throw new Error('too large');
      },
    });
    body.write(randomBytes(5000));
    await assert.rejects(done, /too large/);
    assert.equal(body.destroyed, true);
  });

  it('a file that cannot be opened fails the call and destroys the body', async () => {
    const body = new PassThrough();
    const done = streamToFile(body, { ...opts, file: Promise.reject(new Error('disk full')), hash: undefined });
    body.write(randomBytes(10));
    await assert.rejects(done, /disk full/);
    assert.equal(body.destroyed, true);
  });
});
