// The real-S3 resume path (ListParts), which s3rver does not implement: a scripted S3 answers.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it, type TestContext } from 'node:test';
import { bufferSource } from '@ledge/file-upload/model-file-upload/testing';
import { createS3UploadProvider } from './s3-upload';

const PART = 5 * 1024 * 1024; // S3's smallest part but the last

async function fakeS3(t: TestContext, listed: number) {
  const log: { method: string; url: string; bytes: number; body: string; auth: string }[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      log.push({ method: req.method!, url: req.url!, bytes: body.length, body: body.toString(), auth: String(req.headers['authorization']) });
      const u = new URL(req.url!, 'http://x');
      if (req.method === 'GET' && u.searchParams.get('uploadId') === 'U1') {
        const parts = Array.from({ length: listed }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>&quot;e${i + 1}&quot;</ETag><Size>${PART}</Size></Part>`).join('');
        res.writeHead(200).end(`<ListPartsResult><UploadId>U1</UploadId>${parts}<IsTruncated>false</IsTruncated></ListPartsResult>`);
      } else if (req.method === 'PUT') res.writeHead(200, { etag: `"e${u.searchParams.get('partNumber')}"` }).end();
      else if (req.method === 'POST' && u.searchParams.has('uploads')) res.writeHead(200).end('<InitiateMultipartUploadResult><UploadId>U2</UploadId></InitiateMultipartUploadResult>');
      else if (req.method === 'POST' && u.searchParams.has('uploadId')) res.writeHead(200).end('<CompleteMultipartUploadResult/>');
      else res.writeHead(400).end('<Error><Code>Unexpected</Code></Error>');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  return { endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, log };
}

it('S3 resume asks ListParts and sends only the parts S3 lacks; Complete lists every part', async (t) => {
  const s = await fakeS3(t, 3);
  const p = createS3UploadProvider();
  t.after(() => p.close());
  let saved: unknown = { uploadId: 'U1', bucket: 'b', key: 'k', partSize: PART, parts: {} };
  await p.upload({
    source: bufferSource(Buffer.alloc(PART * 5 + 10, 7)),
    options: { 'aws.region': 'eu-west-1', 'aws.access.key.id': 'AK', 'aws.secret.access.key': 'SK', 'aws.session.token': 'TOK', 'aws.s3.bucket': 'b', 'aws.object.key': 'k', 'aws.endpoint': s.endpoint },
    signal: new AbortController().signal,
    onProgress: () => undefined,
    partSize: PART,
    checkpoint: { load: async () => saved, save: async (v) => void (saved = v), clear: async () => void (saved = undefined) },
  });
  for (const l of s.log) assert.match(l.auth, /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=(content-length;)?(content-type;)?host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  const puts = s.log.filter((l) => l.method === 'PUT');
  assert.deepEqual(puts.map((l) => new URL(l.url, 'http://x').searchParams.get('partNumber')), ['4', '5', '6']);
  assert.equal(puts.reduce((a, l) => a + l.bytes, 0), PART * 2 + 10);
  const complete = s.log.at(-1)!;
  assert.equal(complete.method, 'POST');
  for (let n = 1; n <= 6; n++) assert.ok(complete.body.includes(`<Part><PartNumber>${n}</PartNumber><ETag>"e${n}"</ETag></Part>`), `part ${n} in Complete`);
  assert.equal(saved, undefined, 'checkpoint cleared');
});

it('S3 parts are at least 5 MiB (all but the last) even when a smaller part size is asked for', async (t) => {
  const s = await fakeS3(t, 0);
  const p = createS3UploadProvider();
  t.after(() => p.close());
  await p.upload({
    source: bufferSource(Buffer.alloc(PART * 2 + 10, 7)),
    options: { 'aws.region': 'eu-west-1', 'aws.access.key.id': 'AK', 'aws.secret.access.key': 'SK', 'aws.s3.bucket': 'b', 'aws.object.key': 'k', 'aws.endpoint': s.endpoint },
    signal: new AbortController().signal,
    onProgress: () => undefined,
    partSize: 1024 * 1024,
  });
  const puts = s.log.filter((l) => l.method === 'PUT');
  assert.deepEqual(puts.map((l) => [new URL(l.url, 'http://x').searchParams.get('partNumber'), l.bytes]), [['1', PART], ['2', PART], ['3', 10]]);
});
