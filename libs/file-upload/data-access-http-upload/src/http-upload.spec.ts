import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { isLedgeError } from '@ledge/shared/util';
import { bufferSource, providerContract } from '@ledge/file-upload/model-file-upload/testing';
import { createHttpUploadProvider } from './http-upload';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }

async function server(t: TestContext, status = 200) {
  const got: Received[] = [];
  const objects = new Map<string, Buffer>();
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      objects.set(req.url!.slice(1).split('?')[0]!, body);
      res.writeHead(status).end(status >= 300 ? 'denied' : '');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, got, objects };
}

providerContract('generic (HTTP)', async (t) => {
  const s = await server(t);
  const provider = createHttpUploadProvider();
  t.after(() => provider.close());
  return { provider, options: (key) => ({ 'https.url': `${s.url}/${key}` }), read: async (key) => s.objects.get(key), required: ['https.url'] };
});

describe('generic HTTP provider', () => {
  it('sends POST with https.header.* and Content-MD5', async (t) => {
    const s = await server(t);
    const p = createHttpUploadProvider();
    t.after(() => p.close());
    await p.upload({ source: bufferSource(Buffer.from('hello')), options: { 'https.url': `${s.url}/x?sig=secret`, 'https.method': 'post', 'https.header.X-Token': 'abc' }, md5: 'XUFAKrxLKna5cZ2REBfFkg==', signal: new AbortController().signal, onProgress: () => undefined });
    assert.equal(s.got[0]!.method, 'POST');
    assert.equal(s.got[0]!.headers['x-token'], 'abc');
    assert.equal(s.got[0]!.headers['content-md5'], 'XUFAKrxLKna5cZ2REBfFkg==');
    assert.equal(s.got[0]!.body.toString(), 'hello');
  });
  it('turns a non-2xx answer into LEDGE_FU_HTTP_STATUS without leaking the query', async (t) => {
    const s = await server(t, 403);
    const p = createHttpUploadProvider();
    t.after(() => p.close());
    await assert.rejects(p.upload({ source: bufferSource(Buffer.from('x')), options: { 'https.url': `${s.url}/x?sig=secret` }, signal: new AbortController().signal, onProgress: () => undefined }), (e: unknown) => isLedgeError(e) && e.code === 'LEDGE_FU_HTTP_STATUS' && e.message.includes('403') && !e.message.includes('secret'));
  });
  it('validates url and method', () => {
    const p = createHttpUploadProvider();
    const bad: Record<string, string>[] = [{ 'https.url': 'ftp://x/' }, { 'https.url': 'not a url' }, { 'https.url': 'http://x/', 'https.method': 'GET' }];
    for (const o of bad) {
      assert.throws(() => p.validate(o), (e: unknown) => isLedgeError(e) && e.code === 'LEDGE_FU_PROVIDER_OPTION_INVALID');
    }
    void p.close();
  });
  it('reports LEDGE_FU_HTTP_FAILED when nothing listens', async (t) => {
    const s = await server(t);
    const p = createHttpUploadProvider();
    t.after(() => p.close());
    const dead = s.url.replace(/:\d+$/, ':1');
    await assert.rejects(p.upload({ source: bufferSource(Buffer.from('x')), options: { 'https.url': `${dead}/x` }, signal: new AbortController().signal, onProgress: () => undefined }), (e: unknown) => isLedgeError(e) && e.code === 'LEDGE_FU_HTTP_FAILED');
  });
});
