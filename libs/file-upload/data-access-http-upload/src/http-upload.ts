// The `generic` storage provider (§6.2): one streaming HTTP PUT (default) or POST of the whole file to
// `https.url`, with `https.header.<Name>` headers, Content-Length, optional Content-MD5; progress counts
// the bytes handed to the socket.
import type { Dispatcher } from 'undici';
import { isLedgeError, lazy, lazyResource } from '@ledge/shared/util';
import { countingStream, providerOptionError, uploadAgentOptions, type UploadJob, type UploadOptions, type UploadProvider } from '@ledge/file-upload/model-file-upload';
import { httpFailedError, httpStatusError } from './errors';

const undici = lazy(() => import('undici'));

export interface HttpUploadOptions {
  /** PEM CA certificates trusted for https:// in addition to the public CAs (config serverCert). */
  readonly ca?: string | Buffer | undefined;
  readonly dispatcher?: Dispatcher;
}


export function headersFrom(options: UploadOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (k.startsWith('https.header.') && k.length > 13) out[k.slice(13)] = v;
  return out;
}

export function createHttpUploadProvider(init: HttpUploadOptions = {}): UploadProvider & { close(): Promise<void> } {
  // Our own agent is made (and undici loaded) by the first upload, and only if none was passed in.
  const owned = lazyResource(async () => { const { Agent } = await undici(); return new Agent(uploadAgentOptions(init.ca)); });
  const dispatcher = async () => init.dispatcher ?? owned.get();
  const validate = (options: UploadOptions) => {
    const url = options['https.url'];
    if (!url) throw providerOptionError('https.url', 'is required');
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw providerOptionError('https.url', 'is not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw providerOptionError('https.url', 'must be http:// or https://');
    const m = (options['https.method'] ?? 'PUT').toUpperCase();
    if (m !== 'PUT' && m !== 'POST') throw providerOptionError('https.method', 'must be PUT or POST');
  };
  return {
    name: 'generic',
    validate,
    async upload(job: UploadJob) {
      validate(job.options);
      const url = job.options['https.url']!;
      const method = (job.options['https.method'] ?? 'PUT').toUpperCase() as 'PUT' | 'POST';
      let sent = 0;
      const body = countingStream(job.source, 0, job.source.size, (n) => {
        sent += n;
        job.onProgress(sent);
      });
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...headersFrom(job.options), 'content-length': String(job.source.size) };
      if (job.md5) headers['content-md5'] = job.md5;
      try {
        const res = await (await undici()).request(url, { method, headers, body, signal: job.signal, dispatcher: await dispatcher() });
        const text = await res.body.text();
        if (res.statusCode < 200 || res.statusCode > 299) throw httpStatusError(url, res.statusCode, text);
      } catch (err) {
        body.destroy();
        if (isLedgeError(err) || job.signal.aborted) throw err;
        throw httpFailedError(url, err);
      }
    },
    async close() {
      await owned.close();
    },
  };
}
