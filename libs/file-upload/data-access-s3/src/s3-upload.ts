// The `aws` storage provider (§6.2, Kanto's option names): a single signed PUT for files up to the part
// size, multipart upload (Create → UploadPart… → Complete) above it. Multipart state (upload ID) is
// kept in the job's checkpoint; a later attempt lists the parts S3 already has (ListParts) and sends
// only the rest. Payloads are UNSIGNED-PAYLOAD (streamed; TLS protects integrity, Content-MD5 optional).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { lazy, lazyResource } from '@ledge/shared/util';
import { S3_PART_LIMITS, countingStream, partSizeFor, providerOptionError, uploadAgentOptions, type UploadJob, type UploadOptions, type UploadProvider, type UploadSource } from '@ledge/file-upload/model-file-upload';

import { s3FailedError, s3ProtocolError, s3StatusError } from './errors';
import { amzDate, canonicalQuery, signV4, uriEncode } from './sigv4';

const undici = lazy(() => import('undici'));

export interface S3UploadOptions {
  /** PEM CA certificates trusted for https:// in addition to the public CAs (config serverCert). */
  readonly ca?: string | Buffer | undefined;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
  /** Default part size when the job has none; raised to S3's limits per file (partSizeFor). */
  readonly partSize?: number;
}

interface Target { endpoint: URL; pathStyle: boolean; bucket: string; key: string; region: string; creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } }
interface MultipartState { uploadId: string; bucket: string; key: string; partSize: number; parts: Record<string, { etag: string; size: number }> }

const REQUIRED = ['aws.region', 'aws.access.key.id', 'aws.secret.access.key', 'aws.s3.bucket'] as const;

function target(o: UploadOptions, source: UploadSource): Target {
  const region = o['aws.region']!;
  const bucket = o['aws.s3.bucket']!;
  // Kanto: the object key defaults to the local file path.
  const key = (o['aws.object.key'] || source.path).replace(/^\/+/, '');
  // Ledge extension: aws.endpoint (S3-compatible stores, tests) uses path-style addressing.
  const endpoint = o['aws.endpoint'] ? new URL(o['aws.endpoint']) : new URL(`https://${bucket}.s3.${region}.amazonaws.com`);
  return { endpoint, pathStyle: Boolean(o['aws.endpoint']), bucket, key, region, creds: { accessKeyId: o['aws.access.key.id']!, secretAccessKey: o['aws.secret.access.key']!, sessionToken: o['aws.session.token'] || undefined } };
}


async function partMd5(source: UploadSource, start: number, end: number): Promise<string> {
  const h = createHash('md5');
  for await (const c of source.stream(start, end)) h.update(c);
  return h.digest('base64');
}

export function createS3UploadProvider(init: S3UploadOptions = {}): UploadProvider & { close(): Promise<void> } {
  // Our own agent is made (and undici loaded) by the first upload, and only if none was passed in.
  const owned = lazyResource(async () => { const { Agent } = await undici(); return new Agent(uploadAgentOptions(init.ca)); });
  const dispatcher = async () => init.dispatcher ?? owned.get();
  const now = init.now ?? Date.now;

  const send = async (t: Target, op: string, method: string, query: Record<string, string>, body: Readable | string | undefined, length: number, extra: Record<string, string>, signal: AbortSignal) => {
    const path = t.pathStyle ? `${t.endpoint.pathname.replace(/\/$/, '')}/${t.bucket}/${t.key}` : `/${t.key}`;
    const headers: Record<string, string> = { host: t.endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra };
    if (body !== undefined) headers['content-length'] = String(length);
    const qs = canonicalQuery(query);
    const url = `${t.endpoint.protocol}//${t.endpoint.host}${uriEncode(path, true)}${qs ? `?${qs}` : ''}`;
    try {
      // signed headers: the ones above plus x-amz-date, x-amz-security-token (session token), authorization
      const { host: _host, ...sent } = (await signV4({ method, path, query, headers, region: t.region, service: 's3', amzDate: amzDate(now()) }, t.creds)).headers;
      const res = await (await undici()).request(url, { method: method as 'PUT', headers: sent, ...(body !== undefined ? { body } : {}), signal, dispatcher: await dispatcher() });
      const text = await res.body.text();
      return { status: res.statusCode, text, etag: String(res.headers['etag'] ?? '') };
    } catch (err) {
      if (typeof body === 'object') body.destroy();
      if (signal.aborted) throw err;
      throw s3FailedError(op, err);
    }
  };
  const ok = <R extends { status: number; text: string }>(op: string, r: R): R => {
    if (r.status < 200 || r.status > 299) throw s3StatusError(op, r.status, r.text);
    return r;
  };

  const validate = (o: UploadOptions) => {
    for (const k of REQUIRED) if (!o[k]) throw providerOptionError(k, 'is required');
    if (o['aws.endpoint']) {
      let u: URL | undefined;
      try {
        u = new URL(o['aws.endpoint']);
      } catch {
        u = undefined;
      }
      if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw providerOptionError('aws.endpoint', 'must be an http(s) URL');
    }
  };

  const listParts = async (t: Target, uploadId: string, signal: AbortSignal): Promise<Map<number, { etag: string; size: number }> | undefined | null> => {
    const parts = new Map<number, { etag: string; size: number }>();
    let marker = '';
    for (;;) {
      const r = await send(t, 'ListParts', 'GET', { uploadId, ...(marker ? { 'part-number-marker': marker } : {}) }, undefined, 0, {}, signal);
      if (r.status === 404) return undefined;
      // S3-compatible stores without ListParts (s3rver answers 405): trust the parts the checkpoint recorded.
      if (r.status === 405 || r.status === 501) return null;
      ok('ListParts', r);
      for (const m of r.text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
        const n = Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]);
        const etag = (/<ETag>([^<]*)<\/ETag>/.exec(m[1]!)?.[1] ?? '').replace(/&quot;/g, '"');
        const size = Number(/<Size>(\d+)<\/Size>/.exec(m[1]!)?.[1]);
        if (n > 0) parts.set(n, { etag, size });
      }
      if (!/<IsTruncated>true<\/IsTruncated>/.test(r.text)) return parts;
      marker = /<NextPartNumberMarker>(\d+)<\/NextPartNumberMarker>/.exec(r.text)?.[1] ?? '';
      if (!marker) return parts;
    }
  };

  return {
    name: 'aws',
    validate,
    async upload(job: UploadJob) {
      validate(job.options);
      const t = target(job.options, job.source);
      const size = job.source.size;
      // ≥ 5 MiB (all parts but the last) and ≤ 10,000 parts: S3 refuses anything else at Complete.
      const partSize = partSizeFor(size, job.partSize ?? init.partSize ?? 8 * 1024 * 1024, S3_PART_LIMITS);
      let done = 0;
      const progress = (base: number) => (n: number) => {
        done = Math.max(done, base + n);
        job.onProgress(done);
      };
      if (size <= partSize) {
        let sent = 0;
        const extra: Record<string, string> = { 'content-type': 'application/octet-stream', ...(job.md5 ? { 'content-md5': job.md5 } : {}) };
        const body = countingStream(job.source, 0, size, (n) => progress(0)((sent += n)));
        ok('PutObject', await send(t, 'PutObject', 'PUT', {}, body, size, extra, job.signal));
        job.onProgress(size);
        return;
      }
      const saved = (await job.checkpoint?.load()) as MultipartState | undefined;
      let state: MultipartState | undefined = saved && saved.bucket === t.bucket && saved.key === t.key && saved.partSize === partSize ? saved : undefined;
      let have = new Map<number, { etag: string; size: number }>();
      if (state !== undefined) {
        const listed = await listParts(t, state.uploadId, job.signal);
        if (listed === undefined) state = undefined;
        else if (listed === null) have = new Map(Object.entries(state.parts ?? {}).map(([n, p]) => [Number(n), p]));
        else have = listed;
      }
      if (state === undefined) {
        const r = ok('CreateMultipartUpload', await send(t, 'CreateMultipartUpload', 'POST', { uploads: '' }, '', 0, { 'content-type': 'application/octet-stream' }, job.signal));
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(r.text)?.[1];
        if (!uploadId) throw s3ProtocolError('CreateMultipartUpload', 'no UploadId in the answer');
        state = { uploadId, bucket: t.bucket, key: t.key, partSize, parts: {} };
        await job.checkpoint?.save(state);
      }
      const count = Math.ceil(size / partSize);
      const etags: string[] = [];
      for (let n = 1; n <= count; n++) {
        const start = (n - 1) * partSize;
        const end = Math.min(size, start + partSize);
        const prior = have.get(n);
        if (prior !== undefined && prior.size === end - start) {
          etags[n] = prior.etag;
          progress(end)(0);
          continue;
        }
        let sent = 0;
        const extra: Record<string, string> = job.md5 ? { 'content-md5': await partMd5(job.source, start, end) } : {};
        const r = ok('UploadPart', await send(t, 'UploadPart', 'PUT', { partNumber: String(n), uploadId: state.uploadId }, countingStream(job.source, start, end, (x) => progress(start)((sent += x))), end - start, extra, job.signal));
        etags[n] = r.etag;
        state.parts = { ...state.parts, [n]: { etag: r.etag, size: end - start } };
        await job.checkpoint?.save(state);
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, n) => (e === undefined ? '' : `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`)).join('')}</CompleteMultipartUpload>`;
      const r = ok('CompleteMultipartUpload', await send(t, 'CompleteMultipartUpload', 'POST', { uploadId: state.uploadId }, xml, Buffer.byteLength(xml), { 'content-type': 'application/xml' }, job.signal));
      if (/<Error>/.test(r.text)) throw s3StatusError('CompleteMultipartUpload', 200, r.text);
      await job.checkpoint?.clear();
      job.onProgress(size);
    },
    async close() {
      await owned.close();
    },
  };
}

