// Against s3rver (an S3 implementation in Node) run in-process on a free port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import S3rver from 's3rver';
import { request } from 'undici';
import type { Checkpoint, UploadSource } from '@ledge/file-upload/model-file-upload';
import { bufferSource, providerContract } from '@ledge/file-upload/model-file-upload/testing';
import { createTempDir } from '@ledge/shared/util/testing';
import { createS3UploadProvider } from './s3-upload';
import { amzDate, signV4, uriEncode } from './sigv4';

const PART = 5 * 1024 * 1024; // S3's smallest part but the last (the provider raises smaller ones)

async function s3(t: TestContext) {
  const dir = createTempDir(t, 'ledge-s3rver-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'bucket', configs: [] }] });
  const addr = (await server.run()) as { port: number };
  t.after(() => server.close());
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const read = async (key: string): Promise<Buffer | undefined> => {
    const date = amzDate(Date.now());
    const path = `/bucket/${key}`;
    const headers = { host: `127.0.0.1:${addr.port}`, 'x-amz-date': date, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const { authorization } = await signV4({ method: 'GET', path, headers, region: 'us-east-1', service: 's3', amzDate: date }, creds);
    const res = await request(`${endpoint}${uriEncode(path, true)}`, { headers: { 'x-amz-date': date, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', authorization } });
    const body = Buffer.from(await res.body.arrayBuffer());
    return res.statusCode === 200 ? body : undefined;
  };
  const options = (key: string) => ({ 'storage.provider': 'aws', 'aws.region': 'us-east-1', 'aws.access.key.id': 'S3RVER', 'aws.secret.access.key': 'S3RVER', 'aws.s3.bucket': 'bucket', 'aws.object.key': key, 'aws.endpoint': endpoint });
  return { endpoint, read, options };
}

providerContract('aws (S3, s3rver)', async (t) => {
  const s = await s3(t);
  const provider = createS3UploadProvider();
  t.after(() => provider.close());
  return { provider, options: s.options, read: s.read, required: ['aws.region', 'aws.access.key.id', 'aws.secret.access.key', 'aws.s3.bucket'], partSize: PART };
});

function memoryCheckpoint(): Checkpoint & { value: unknown } {
  return {
    value: undefined,
    async load() {
      return this.value;
    },
    async save(v) {
      this.value = JSON.parse(JSON.stringify(v));
    },
    async clear() {
      this.value = undefined;
    },
  };
}

function counting(src: UploadSource) {
  const c = { bytes: 0 };
  const s: UploadSource = {
    path: src.path,
    size: src.size,
    async *stream(a, b) {
      for await (const x of src.stream(a, b)) {
        c.bytes += x.length;
        yield x;
      }
    },
  };
  return { s, c };
}

describe('S3 provider', () => {
  it('refuses an unknown access key with LEDGE_FU_S3_STATUS naming the S3 error', async (t) => {
    const s = await s3(t);
    const p = createS3UploadProvider();
    t.after(() => p.close());
    await assert.rejects(
      p.upload({ source: bufferSource(Buffer.from('x')), options: { ...s.options('k'), 'aws.access.key.id': 'NOBODY' }, signal: new AbortController().signal, onProgress: () => undefined }),
      (e: unknown) => (e as { code?: string }).code === 'LEDGE_FU_S3_STATUS' && /InvalidAccessKeyId/.test((e as Error).message),
    );
  });

  it('object key defaults to the file path; Content-MD5 accepted', async (t) => {
    const s = await s3(t);
    const p = createS3UploadProvider();
    t.after(() => p.close());
    const o: Record<string, string> = { ...s.options('') };
    delete o['aws.object.key'];
    await p.upload({ source: bufferSource(Buffer.from('hello'), '/var/tmp/x.log'), options: o, md5: 'XUFAKrxLKna5cZ2REBfFkg==', signal: new AbortController().signal, onProgress: () => undefined });
    assert.equal((await s.read('var/tmp/x.log'))?.toString(), 'hello');
  });

  it('resumes an interrupted multipart upload: only the missing parts are sent again', async (t) => {
    const s = await s3(t);
    const p = createS3UploadProvider();
    t.after(() => p.close());
    const data = randomBytes(PART * 5 + 100);
    const cp = memoryCheckpoint();
    const first = counting(bufferSource(data, '/f', 16 * 1024));
    const ac = new AbortController();
    await assert.rejects(p.upload({ source: first.s, options: s.options('resume.bin'), signal: ac.signal, checkpoint: cp, partSize: PART, onProgress: (b) => b >= PART * 3 + 1 && ac.abort(new Error('cut')) }));
    assert.ok(cp.value !== undefined, 'upload ID persisted');
    const second = counting(bufferSource(data, '/f', 16 * 1024));
    await p.upload({ source: second.s, options: s.options('resume.bin'), signal: new AbortController().signal, checkpoint: cp, partSize: PART, onProgress: () => undefined });
    assert.ok((await s.read('resume.bin'))!.equals(data), 'object identical');
    assert.ok(second.c.bytes <= data.length - PART * 3, `re-sent ${second.c.bytes} bytes, at most ${data.length - PART * 3} expected`);
    assert.equal(cp.value, undefined, 'checkpoint cleared after success');
  });
});
