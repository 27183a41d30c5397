// The dev cloud's artifact store and upload sink over a real HTTP server (port 0).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTempDir } from '@ledge/shared/util/testing';
import { createFileStore, parseRange, storeName } from './file-store';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function serve(t: TestContext, maxBytes = 1 << 20, maxDepth = 1) {
  const dir = createTempDir(t, 'ledge-file-store-');
  let base = '';
  const store = createFileStore({ dir, prefix: '/artifacts/', baseUrl: () => base, maxBytes, maxDepth });
  const srv = createServer((req, res) => {
    void store.handle(req, res, new URL(req.url ?? '/', 'http://x').pathname).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  t.after(() => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))));
  const call = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { dir, base, call };
}

describe('dev cloud file stores', () => {
  it('put → listed with size, SHA-256 and URL → downloaded whole or by range → deleted', async (t) => {
    const { base, call, dir } = await serve(t);
    const body = randomBytes(100_000);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const put = await call('PUT', '/artifacts/install.sh', body);
    assert.equal(put.status, 201);
    assert.deepEqual(JSON.parse(put.body.toString()), { name: 'install.sh', size: body.length, sha256, url: `${base}/artifacts/install.sh` });
    const list = JSON.parse((await call('GET', '/artifacts')).body.toString()) as { name: string; sha256: string; url: string }[];
    assert.deepEqual(list.map((f) => [f.name, f.sha256, f.url]), [['install.sh', sha256, `${base}/artifacts/install.sh`]]);
    const whole = await call('GET', '/artifacts/install.sh');
    assert.equal(whole.status, 200);
    assert.ok(whole.body.equals(body), 'the whole file, byte for byte');
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    const part = await call('GET', '/artifacts/install.sh', undefined, { range: 'bytes=99990-' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 99990-99999/${body.length}`);
    assert.ok(part.body.equals(body.subarray(99_990)), 'the last 10 bytes');
    assert.equal((await call('GET', '/artifacts/install.sh', undefined, { range: 'bytes=200000-' })).status, 416);
    const head = await call('HEAD', '/artifacts/install.sh');
    assert.deepEqual([head.status, head.headers['content-length'], head.body.length], [200, String(body.length), 0]);
    assert.equal((await call('DELETE', '/artifacts/install.sh')).status, 204);
    assert.equal((await call('GET', '/artifacts/install.sh')).status, 404);
    assert.equal((await call('DELETE', '/artifacts/install.sh')).status, 404);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a digest survives a restart of the store (computed from the file); POST stores too', async (t) => {
    const { call, dir } = await serve(t);
    writeFileSync(join(dir, 'left.bin'), 'from before');
    const list = JSON.parse((await call('GET', '/artifacts/')).body.toString()) as { name: string; sha256: string; size: number }[];
    assert.deepEqual(list.map((f) => [f.name, f.size, f.sha256]), [['left.bin', 11, createHash('sha256').update('from before').digest('hex')]]);
    assert.equal((await call('POST', '/artifacts/posted.txt', Buffer.from('x'))).status, 201);
  });

  it('refuses bad names, oversized bodies (nothing kept) and other methods', async (t) => {
    const { call, dir } = await serve(t, 1000);
    for (const name of ['..x', '.hidden', 'a%2F..%2F..%2Fetc', 'a/b', '%E0%A4%A', 'x'.repeat(200), 'sp%20ace']) {
      assert.equal((await call('PUT', `/artifacts/${name}`, Buffer.from('x'))).status, 400, name);
    }
    assert.equal((await call('PUT', '/artifacts/big.bin', randomBytes(2000))).status, 413);
    assert.deepEqual(readdirSync(dir), [], 'nothing kept, not even a temporary file');
    assert.equal((await call('PATCH', '/artifacts/a', Buffer.from('x'))).status, 405);
    assert.equal((await call('POST', '/artifacts')).status, 405);
    assert.equal(existsSync(join(dir, 'a')), false);
  });

  it('nested names where allowed (the upload sink)', async (t) => {
    const { call, base } = await serve(t, 1 << 20, 4);
    const put = await call('PUT', '/artifacts/logs/gw/ledge-logs-1.tar.gz', Buffer.from('tgz'));
    assert.equal(put.status, 201);
    assert.equal((JSON.parse(put.body.toString()) as { url: string }).url, `${base}/artifacts/logs/gw/ledge-logs-1.tar.gz`);
    assert.deepEqual((JSON.parse((await call('GET', '/artifacts')).body.toString()) as { name: string }[]).map((f) => f.name), ['logs/gw/ledge-logs-1.tar.gz']);
    assert.equal((await call('PUT', '/artifacts/a/b/c/d/e', Buffer.from('x'))).status, 400);
  });

  it('names and ranges are parsed strictly', () => {
    assert.equal(storeName('a.b-c_d', 1), 'a.b-c_d');
    assert.equal(storeName('a/b', 2), 'a/b');
    assert.equal(storeName('a//b', 3), undefined);
    assert.equal(storeName('', 1), undefined);
    assert.deepEqual(parseRange('bytes=0-9', 100), [0, 9]);
    assert.deepEqual(parseRange('bytes=-10', 100), [90, 99]);
    assert.deepEqual(parseRange('bytes=50-500', 100), [50, 99]);
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=1-2,5-6', 100), undefined, 'several ranges: the whole file');
    assert.equal(parseRange('items=1-2', 100), undefined);
  });
});
