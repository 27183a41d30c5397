// The `azure` storage provider (§6.2, Kanto's option names): SAS-authorised Put Blob for files up to the
// block size, Put Block… + Put Block List above it. The block ID prefix lives in the job's checkpoint; a
// later attempt asks for the uncommitted block list and sends only the missing blocks.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { lazy, lazyResource } from '@ledge/shared/util';
import { AZURE_BLOCK_LIMITS, countingStream, partSizeFor, providerOptionError, uploadAgentOptions, type UploadJob, type UploadOptions, type UploadProvider } from '@ledge/file-upload/model-file-upload';
import { azureFailedError, azureStatusError } from './errors';

const undici = lazy(() => import('undici'));

export const AZURE_API_VERSION = '2021-08-06';

export interface AzureBlobUploadOptions {
  /** PEM CA certificates trusted for https:// in addition to the public CAs (config serverCert). */
  readonly ca?: string | Buffer | undefined;
  readonly dispatcher?: Dispatcher;
  readonly partSize?: number;
}

interface BlockState { prefix: string; blobUrl: string; partSize: number }


/** Blob URL without SAS: `<endpoint>/<container>/<base name of the file>`. */
export function blobUrl(options: UploadOptions, filePath: string): string {
  const endpoint = options['azure.storage.endpoint']!.replace(/\/+$/, '');
  const name = filePath.split('/').filter(Boolean).pop() ?? 'file';
  return `${endpoint}/${encodeURIComponent(options['azure.blob.container']!)}/${encodeURIComponent(name)}`;
}

export function blockId(prefix: string, n: number): string {
  return Buffer.from(`${prefix}-${String(n).padStart(6, '0')}`).toString('base64');
}

export function createAzureBlobUploadProvider(init: AzureBlobUploadOptions = {}): UploadProvider & { close(): Promise<void> } {
  // Our own agent is made (and undici loaded) by the first upload, and only if none was passed in.
  const owned = lazyResource(async () => { const { Agent } = await undici(); return new Agent(uploadAgentOptions(init.ca)); });
  const dispatcher = async () => init.dispatcher ?? owned.get();
  const validate = (o: UploadOptions) => {
    for (const k of ['azure.storage.endpoint', 'azure.shared.access.signature', 'azure.blob.container']) if (!o[k]) throw providerOptionError(k, 'is required');
    let u: URL | undefined;
    try {
      u = new URL(o['azure.storage.endpoint']!);
    } catch {
      u = undefined;
    }
    if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw providerOptionError('azure.storage.endpoint', 'must be an http(s) URL');
  };
  const send = async (op: string, url: string, sas: string, query: string, method: 'GET' | 'PUT', headers: Record<string, string>, body: Readable | string | undefined, signal: AbortSignal) => {
    const full = `${url}?${query ? `${query}&` : ''}${sas}`;
    try {
      const res = await (await undici()).request(full, { method, headers: { 'x-ms-version': AZURE_API_VERSION, ...headers }, ...(body !== undefined ? { body } : {}), signal, dispatcher: await dispatcher() });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode > 299) throw azureStatusError(op, res.statusCode, String(res.headers['x-ms-error-code'] ?? ''), text);
      return text;
    } catch (err) {
      if (typeof body === 'object') body.destroy();
      if (signal.aborted || (err as { code?: string }).code === 'LEDGE_FU_AZURE_STATUS') throw err;
      throw azureFailedError(op, err);
    }
  };
  return {
    name: 'azure',
    validate,
    async upload(job: UploadJob) {
      validate(job.options);
      const sas = job.options['azure.shared.access.signature']!.replace(/^\?/, '');
      const url = blobUrl(job.options, job.source.path);
      const size = job.source.size;
      // ≤ 50,000 blocks per blob: larger blocks for very large files.
      const partSize = partSizeFor(size, job.partSize ?? init.partSize ?? 8 * 1024 * 1024, AZURE_BLOCK_LIMITS);
      let done = 0;
      const progress = (n: number) => {
        done = Math.max(done, n);
        job.onProgress(done);
      };
      if (size <= partSize) {
        let sent = 0;
        const headers: Record<string, string> = { 'x-ms-blob-type': 'BlockBlob', 'content-length': String(size), 'x-ms-blob-content-type': 'application/octet-stream', ...(job.md5 ? { 'x-ms-blob-content-md5': job.md5, 'content-md5': job.md5 } : {}) };
        await send('Put Blob', url, sas, '', 'PUT', headers, countingStream(job.source, 0, size, (n) => progress((sent += n))), job.signal);
        progress(size);
        return;
      }
      const saved = (await job.checkpoint?.load()) as BlockState | undefined;
      const state: BlockState = saved && saved.blobUrl === url && saved.partSize === partSize ? saved : { prefix: randomBytes(6).toString('hex'), blobUrl: url, partSize };
      const have = new Map<string, number>();
      if (saved === state) {
        const xml = await send('Get Block List', url, sas, 'comp=blocklist&blocklisttype=uncommitted', 'GET', {}, undefined, job.signal).catch((err: unknown) => {
          if ((err as { details?: { status?: number } }).details?.status === 404) return '';
          throw err;
        });
        for (const m of xml.matchAll(/<Block>\s*<Name>([^<]+)<\/Name>\s*<Size>(\d+)<\/Size>\s*<\/Block>/g)) have.set(m[1]!, Number(m[2]));
      } else await job.checkpoint?.save(state);
      const count = Math.ceil(size / partSize);
      const ids: string[] = [];
      for (let n = 1; n <= count; n++) {
        const start = (n - 1) * partSize;
        const end = Math.min(size, start + partSize);
        const id = blockId(state.prefix, n);
        ids.push(id);
        if (have.get(id) === end - start) {
          progress(end);
          continue;
        }
        let sent = 0;
        await send('Put Block', url, sas, `comp=block&blockid=${encodeURIComponent(id)}`, 'PUT', { 'content-length': String(end - start) }, countingStream(job.source, start, end, (x) => progress(start + (sent += x))), job.signal);
      }
      const body = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
      await send('Put Block List', url, sas, 'comp=blocklist', 'PUT', { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), 'x-ms-blob-content-type': 'application/octet-stream', ...(job.md5 ? { 'x-ms-blob-content-md5': job.md5 } : {}) }, body, job.signal);
      await job.checkpoint?.clear();
      progress(size);
    },
    async close() {
      await owned.close();
    },
  };
}
