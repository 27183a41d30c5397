// The downloader against a real HTTP(S) server on loopback that cuts, stalls, corrupts and ignores ranges.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isLedgeError } from '@ledge/shared/util';
import { createTempDir, expectNothingFor, hasCommand, type TestContextLike, skipUnlessTools } from '@ledge/shared/util/testing';
import { createDownloader, type DownloaderOptions } from './downloader';
import { partialPaths } from './partial-file';
import { DownloadErrorCodes } from './errors';
import { startArtifactServer } from './testing/artifact-server';

const fast: Partial<DownloaderOptions> = { retries: 3, retryInitialMs: 10, retryMaxMs: 50, stallTimeoutMs: 500, minFreeSpace: 0 };

function make(t: TestContextLike, o: Partial<DownloaderOptions> = {}) {
  const d = createDownloader({ ...fast, ...o });
  t.after(() => d.close());
  return d;
}

const codeOf = (err: unknown) => (isLedgeError(err) ? err.code : String(err));

describe('downloader', () => {
  it('downloads and verifies SHA-256; progress rises to the total', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(700_000);
    const a = srv.add('/a.bin', data);
    const dir = createTempDir(t);
    const progress: number[] = [];
    const r = await make(t).download({ url: a.url, file: join(dir, 'a.bin'), expectedSize: a.size, checksum: { algorithm: 'sha256', expected: a.sha256 }, onProgress: (b) => progress.push(b) });
    assert.equal(r.bytes, data.length);
    assert.equal(r.digest, a.sha256);
    assert.deepEqual(readFileSync(join(dir, 'a.bin')), data);
    assert.equal(progress.at(-1), data.length);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), 'non-decreasing');
    assert.equal(existsSync(partialPaths(join(dir, 'a.bin')).data), false, 'no partial file left');
  });

  it('survives 10 connection cuts, resuming with Range each time (no byte fetched twice)', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(2_000_000);
    const a = srv.add('/cut.bin', data);
    srv.misbehave({ cutAfter: { bytes: 150_000, times: 10 } });
    const dir = createTempDir(t);
    const r = await make(t, { retries: 0 }).download({ url: a.url, file: join(dir, 'x'), checksum: { algorithm: 'sha256', expected: a.sha256 } });
    assert.equal(r.requests, 11);
    assert.deepEqual(readFileSync(join(dir, 'x')), data);
    assert.equal(srv.requests.filter((q) => q.status === 206).length, 10);
    assert.equal(r.received, data.length, 'every byte received exactly once');
    const starts = srv.requests.map((q) => Number(/bytes=(\d+)-/.exec(q.range ?? 'bytes=0-')![1]));
    assert.ok(starts.every((s, i) => i === 0 || s > starts[i - 1]!), `each resume starts further on: ${starts.join(',')}`);
  });

  it('hashing on the event loop (hashInWorker: false) gives the same digest, across cuts and a resume', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(1_500_000);
    const a = srv.add('/w.bin', data);
    srv.misbehave({ cutAfter: { bytes: 400_000, times: 2 }, bytesPerSecond: 20_000_000 });
    const dir = createTempDir(t);
    const r = await make(t, { hashInWorker: false }).download({ url: a.url, file: join(dir, 'x'), checksum: { algorithm: 'sha256', expected: a.sha256 } });
    assert.equal(r.digest, a.sha256);
    assert.equal(r.requests, 3);
    srv.misbehave({});
    const bad = srv.add('/w2.bin', data);
    await assert.rejects(make(t, { hashInWorker: false }).download({ url: bad.url, file: join(dir, 'y'), checksum: { algorithm: 'sha1', expected: '0'.repeat(40) } }), (e) => codeOf(e) === DownloadErrorCodes.CHECKSUM_MISMATCH);
  });

  it('cuts a stalled response and resumes', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(300_000);
    const a = srv.add('/stall.bin', data);
    srv.misbehave({ stall: { bytes: 100_000, ms: 5_000, times: 1 } });
    const dir = createTempDir(t);
    const started = Date.now();
    const r = await make(t, { stallTimeoutMs: 300 }).download({ url: a.url, file: join(dir, 'x'), checksum: { algorithm: 'sha1', expected: a.sha1 } });
    assert.ok(Date.now() - started < 4_000, 'did not wait for the stall to end');
    assert.equal(r.requests, 2);
    assert.equal(srv.requests[1]!.range, 'bytes=100000-');
  });

  it('a corrupted byte fails the checksum and leaves no file', async (t) => {
    const srv = await startArtifactServer(t);
    const a = srv.add('/bad.bin', randomBytes(100_000));
    srv.misbehave({ corruptAt: 5_000 });
    const dir = createTempDir(t);
    const file = join(dir, 'x');
    await assert.rejects(make(t).download({ url: a.url, file, checksum: { algorithm: 'md5', expected: a.md5 } }), (e) => codeOf(e) === DownloadErrorCodes.CHECKSUM_MISMATCH);
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(partialPaths(file).data), false);
  });

  it('a pieced download with a mismatch is fetched once more from the start', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(200_000);
    const a = srv.add('/p.bin', data);
    srv.misbehave({ cutAfter: { bytes: 50_000, times: 1 }, corruptAt: 120_000, bytesPerSecond: 2_000_000 });
    const dir = createTempDir(t);
    const d = make(t);
    const p = d.download({ url: a.url, file: join(dir, 'x'), checksum: { algorithm: 'sha256', expected: a.sha256 } });
    await assert.rejects(p, (e) => codeOf(e) === DownloadErrorCodes.CHECKSUM_MISMATCH);
    assert.deepEqual(srv.requests.map((q) => q.status), [200, 206, 200], 'cut, resume (mismatch), one full retry (still corrupt)');
  });

  it('resumes a partial file left by an earlier (killed) downloader from its offset', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(1_000_000);
    const a = srv.add('/r.bin', data);
    srv.misbehave({ bytesPerSecond: 2_000_000 });
    const dir = createTempDir(t);
    const file = join(dir, 'x');
    const ac = new AbortController();
    const first = make(t).download({ url: a.url, file, checksum: { algorithm: 'sha256', expected: a.sha256 }, signal: ac.signal, onProgress: (b) => b > 300_000 && ac.abort() });
    await assert.rejects(first, (e) => codeOf(e) === DownloadErrorCodes.ABORTED);
    const have = statSync(partialPaths(file).data).size;
    assert.ok(have >= 300_000 && have < data.length, `partial ${have}`);
    srv.misbehave({});
    const sentBefore = srv.bytesSent;
    const r = await make(t).download({ url: a.url, file, checksum: { algorithm: 'sha256', expected: a.sha256 } });
    assert.equal(r.resumedFrom, have);
    assert.equal(srv.bytesSent - sentBefore, data.length - have, 'only the missing bytes fetched');
    assert.deepEqual(readFileSync(file), data);
  });

  it('a server ignoring Range restarts from zero and still verifies', async (t) => {
    const srv = await startArtifactServer(t);
    const data = randomBytes(300_000);
    const a = srv.add('/n.bin', data);
    srv.misbehave({ cutAfter: { bytes: 100_000, times: 1 }, ignoreRange: true });
    const dir = createTempDir(t);
    const r = await make(t).download({ url: a.url, file: join(dir, 'x'), checksum: { algorithm: 'sha256', expected: a.sha256 } });
    assert.equal(r.bytes, data.length);
    assert.deepEqual(readFileSync(join(dir, 'x')), data);
  });

  it('a changed artifact (ETag differs) is fetched whole via If-Range', async (t) => {
    const srv = await startArtifactServer(t);
    const v1 = randomBytes(400_000);
    const a1 = srv.add('/c.bin', v1);
    srv.misbehave({ bytesPerSecond: 2_000_000 });
    const dir = createTempDir(t);
    const file = join(dir, 'x');
    const ac = new AbortController();
    await assert.rejects(
      make(t).download({ url: a1.url, file, checksum: { algorithm: 'sha256', expected: a1.sha256 }, signal: ac.signal, onProgress: (b) => b > 100_000 && ac.abort() }),
      (e) => codeOf(e) === DownloadErrorCodes.ABORTED,
    );
    srv.misbehave({});
    const v2 = randomBytes(300_000);
    const a2 = srv.add('/c.bin', v2);
    const r = await make(t).download({ url: a2.url, file, checksum: { algorithm: 'sha256', expected: a2.sha256 } });
    const last = srv.requests.at(-1)!;
    assert.match(last.range ?? '', /^bytes=\d+-$/, 'asked to resume');
    assert.equal(last.status, 200, 'the server refused the range for the changed artifact');
    assert.equal(r.digest, a2.sha256);
    assert.deepEqual(readFileSync(file), v2);
  });

  // Without Content-Length the size is known only at the body's end: the limit (maxSize, or the declared size
  // when smaller) is checked before each batch is written, so the batch that would cross it is refused
  // unwritten and the body is cut. The partial file stays (the downloader keeps partial files; the engine
  // removes the operation's directory when the operation ends).
  const overruns: [string, Partial<DownloaderOptions>, number | undefined][] = [
    ['maxSize', { maxSize: 100_000 }, undefined],
    ['the declared size', { maxSize: 10_000_000 }, 100_000],
  ];
  for (const [name, o, expectedSize] of overruns) {
    it(`fails: a body without Content-Length that runs past ${name} is cut at the limit`, async (t) => {
      const limit = 100_000;
      const srv = await startArtifactServer(t);
      const data = randomBytes(1_000_000);
      const a = srv.add('/chunked.bin', data);
      // 50 kB, a pause in which they are written (the first batch, well below the limit), then the rest paced
      // so that the cut comes long before the server could have sent it all.
      srv.misbehave({ noContentLength: true, stall: { bytes: 50_000, ms: 300, times: 1 }, bytesPerSecond: 4_000_000 });
      const dir = createTempDir(t);
      const file = join(dir, 'x');
      const err: unknown = await make(t, o)
        .download({ url: a.url, file, checksum: { algorithm: 'sha256', expected: a.sha256 }, ...(expectedSize !== undefined ? { expectedSize } : {}) })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(isLedgeError(err), `a typed error: ${String(err)}`);
      assert.equal(err.code, DownloadErrorCodes.TOO_LARGE);
      assert.equal(err.details?.['limit'], limit);
      assert.ok((err.details?.['bytes'] as number) > limit, `bytes ${String(err.details?.['bytes'])} exceed the limit`);
      assert.deepEqual(srv.requests.map((q) => q.status), [200], 'not retried');
      // Paced, the rest of the body would be sent within ~250 ms: after 600 ms it is clear that it was not. A
      // window: the server's sending has no end to wait for that the test can see.
      await expectNothingFor(600, () => srv.bytesSent >= data.length / 2 && `${srv.bytesSent} bytes sent`, 'the rest of the body being sent');
      assert.ok(srv.bytesSent < data.length / 2, `the body was cut, not read to its end (${srv.bytesSent} of ${data.length} sent)`);
      assert.equal(existsSync(file), false, 'nothing published');
      const partial = readFileSync(partialPaths(file).data);
      assert.ok(partial.length >= 50_000 && partial.length <= limit, `partial file ${partial.length} bytes: the batches below the limit, none beyond it`);
      assert.deepEqual(partial, data.subarray(0, partial.length));
      srv.misbehave({ noContentLength: true });
      const chunked = await fetch(a.url);
      await chunked.arrayBuffer();
      assert.equal(chunked.headers.get('content-length'), null, 'the response had no Content-Length');
      assert.equal(chunked.headers.get('transfer-encoding'), 'chunked');
    });
  }

  const failures: [string, (s: Awaited<ReturnType<typeof startArtifactServer>>) => { url: string; size?: number }, Partial<DownloaderOptions>, string, number][] = [
    ['404 is not retried', (s) => ({ url: `${s.url}/missing` }), {}, DownloadErrorCodes.HTTP_STATUS, 1],
    ['503 retried, then given up', (s) => (s.misbehave({ failWith: { status: 503, times: 100 } }), { url: s.add('/f', Buffer.alloc(10)).url }), { retries: 2 }, DownloadErrorCodes.DOWNLOAD_FAILED, 3],
    ['declared size above the limit: no request', (s) => ({ url: s.add('/big', Buffer.alloc(10)).url, size: 5000 }), { maxSize: 1000 }, DownloadErrorCodes.TOO_LARGE, 0],
    ['Content-Length above the limit', (s) => ({ url: s.add('/big2', Buffer.alloc(5000)).url }), { maxSize: 1000 }, DownloadErrorCodes.TOO_LARGE, 1],
    ['size differs from the declared one', (s) => ({ url: s.add('/sz', Buffer.alloc(5000)).url, size: 4000 }), {}, DownloadErrorCodes.SIZE_MISMATCH, 1],
    ['a body without Content-Length shorter than the declared size', (s) => (s.misbehave({ noContentLength: true }), { url: s.add('/short', Buffer.alloc(3000)).url, size: 4000 }), {}, DownloadErrorCodes.SIZE_MISMATCH, 1],
    ['not enough disk space', (s) => ({ url: s.add('/d', Buffer.alloc(5000)).url }), { freeSpace: async () => 4000 }, DownloadErrorCodes.DISK_FULL, 1],
  ];
  for (const [name, setup, o, code, requests] of failures) {
    it(`fails: ${name}`, async (t) => {
      const srv = await startArtifactServer(t);
      const { url, size } = setup(srv);
      const dir = createTempDir(t);
      await assert.rejects(make(t, o).download({ url, file: join(dir, 'x'), ...(size !== undefined ? { expectedSize: size } : {}) }), (e) => codeOf(e) === code);
      assert.equal(srv.requests.length, requests);
    });
  }

  it('HTTPS with a configured server CA; an unknown CA is refused', { skip: skipUnlessTools('openssl', !hasCommand('openssl')) }, async (t) => {
    const dir = createTempDir(t);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'c.pem'));
    const srv = await startArtifactServer(t, { key: readFileSync(join(dir, 'k.pem')), cert });
    const a = srv.add('/s.bin', randomBytes(50_000));
    const r = await make(t, { ca: cert }).download({ url: a.url, file: join(dir, 'ok'), checksum: { algorithm: 'sha256', expected: a.sha256 } });
    assert.equal(r.digest, a.sha256);
    await assert.rejects(make(t, { retries: 0 }).download({ url: a.url, file: join(dir, 'no') }), (e) => codeOf(e) === DownloadErrorCodes.DOWNLOAD_FAILED);
  });
});
