// The two hashers: same digests as node:crypto for any split of the bytes; the worker takes whole-buffer
// chunks over without a copy (they are empty afterwards) and copies slices; streamToFile hands a worker
// hasher a batch only after it was written; on Linux the hash thread runs nicer than the rest.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { createTempDir } from '@ledge/shared/util/testing';
import { createHashWorker, createInlineHasher, HASH_THREAD_NICENESS, type Hasher } from './hasher';
import { streamToFile } from './partial-file';

/** A fresh Buffer that owns its whole ArrayBuffer, as a socket read does. */
const owned = (b: Buffer) => {
  const c = Buffer.from(new ArrayBuffer(b.length));
  b.copy(c);
  return c;
};

describe('hashers', () => {
  for (const algorithm of ['sha256', 'sha1', 'md5'] as const) {
    it(`worker and inline ${algorithm} digests equal node:crypto over mixed chunks`, async (t) => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const expected = createHash(algorithm).update(data).digest('hex');
      const pool = createHashWorker({ maxPendingBytes: 1024 * 1024 });
      t.after(() => pool.close());
      const worker = pool.hasher(algorithm);
      const inline = createInlineHasher(algorithm);
      const big = Buffer.from(data.buffer, data.byteOffset, data.length); // a view of a larger pool buffer or not
      for (let at = 0, i = 0; at < data.length; i++) {
        const len = Math.min(data.length - at, [65_536, 1, 300_000, 4096, 0][i % 5]!);
        const piece = big.subarray(at, at + len);
        at += len;
        await inline.update([piece]);
        // owned chunks (transferred), slices (copied) and a run of both in one batch
        await worker.update(i % 3 === 0 ? [owned(piece)] : i % 3 === 1 ? [piece] : [owned(piece.subarray(0, len >> 1)), piece.subarray(len >> 1)]);
      }
      assert.equal(await inline.digest(), expected);
      assert.equal(await worker.digest(), expected);
    });
  }

  it('the worker takes owned chunks over without a copy and leaves slices of shared memory intact', async (t) => {
    const pool = createHashWorker();
    t.after(() => pool.close());
    const worker = pool.hasher('sha256');
    const whole = owned(randomBytes(100_000));
    const shared = randomBytes(200_000);
    const slice = shared.subarray(50_000, 150_000);
    const expected = createHash('sha256').update(whole).update(slice).digest('hex');
    assert.equal(worker.takesChunks, true);
    await worker.update([whole, slice]); // held (less than 1 MiB) until the digest is asked for
    assert.equal(await worker.digest(), expected);
    assert.equal(whole.length, 0, 'the owned chunk moved to the worker');
    assert.equal(slice.length, 100_000, 'the slice was copied');
  });

  it('one worker thread serves hashers running at the same time, and starts again after it ended idle', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] }); // the idle timer; the thread's messages stay real
    const pool = createHashWorker({ idleMs: 50 });
    t.after(() => pool.close());
    const a = randomBytes(500_000);
    const b = randomBytes(700_000);
    const ha = pool.hasher('sha256');
    const hb = pool.hasher('sha1');
    for (let at = 0; at < 700_000; at += 100_000) {
      if (at < a.length) await ha.update([a.subarray(at, at + 100_000)]);
      await hb.update([owned(b.subarray(at, at + 100_000))]);
    }
    assert.equal(await hb.digest(), createHash('sha1').update(b).digest('hex'));
    assert.equal(await ha.digest(), createHash('sha256').update(a).digest('hex'));
    await ha.close();
    await hb.close();
    t.mock.timers.tick(50); // the thread ends after 50 ms without hashers
    const hc = pool.hasher('md5');
    const expected = createHash('md5').update(a).digest('hex');
    await hc.update([a]); // a owns its ArrayBuffer: it moves to the worker and is empty here afterwards
    assert.equal(await hc.digest(), expected);
    assert.equal(a.length, 0);
    await hc.close();
  });

  it('closing the worker fails the hashers still open, with an error instead of a digest', async () => {
    const pool = createHashWorker();
    const h = pool.hasher('sha256');
    await h.update([randomBytes(1000)]);
    await pool.close();
    await assert.rejects(h.digest(), /hash worker closed/);
    await assert.rejects(h.update([randomBytes(10)]), /hash worker closed/);
  });

  it('streamToFile gives a worker hasher each batch only after it is in the file', async (t) => {
    const dir = createTempDir(t);
    const path = join(dir, 'f');
    const fh = await open(path, 'w');
    const data = randomBytes(2 * 1024 * 1024);
    let seen = 0;
    const checking: Hasher = {
      takesChunks: true,
      async update(chunks) {
        const onDisk = readFileSync(path);
        for (const c of chunks) {
          assert.ok(onDisk.subarray(seen, seen + c.length).equals(c), `bytes ${seen}.. are written before they are hashed`);
          seen += c.length;
        }
      },
      digest: async () => '',
      close: async () => undefined,
    };
    const chunks = Array.from({ length: 32 }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
    await streamToFile(Readable.from(chunks), { file: Promise.resolve(fh), start: 0, hash: checking, bufferBytes: 256 * 1024, check: () => undefined, onWritten: () => undefined, onHashAhead: () => undefined });
    await fh.close();
    assert.equal(seen, data.length);
    assert.ok(readFileSync(path).equals(data));
  });
  it('on Linux the hash thread runs nicer than the thread that started it', { skip: process.platform !== 'linux' }, async (t) => {
    /** The nice value of a thread (field 19 of its stat). */
    const nice = (statPath: string) => {
      const stat = readFileSync(statPath, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const threads = () => readdirSync('/proc/self/task').map((tid) => nice(`/proc/self/task/${tid}/stat`));
    const own = nice('/proc/thread-self/stat');
    const expected = Math.min(19, own + HASH_THREAD_NICENESS);
    assert.ok(own === 19 || !threads().includes(expected), 'no thread is that nice before the worker starts');
    const pool = createHashWorker();
    t.after(() => pool.close());
    const h = pool.hasher('sha256');
    const data = randomBytes(2 * 1024 * 1024);
    await h.update([Buffer.from(data)]);
    assert.equal(await h.digest(), createHash('sha256').update(data).digest('hex'));
    assert.ok(threads().includes(expected), `a thread with nice ${expected} (the process: ${own}); threads: ${threads().join(',')}`);
    assert.equal(nice('/proc/thread-self/stat'), own, 'the calling thread keeps its priority');
  });
});
