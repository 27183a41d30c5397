// Downloads from the same generic HTTP storage the `generic` provider uploads to: file-backup's restore
// fetches an archive from `https.url` with `https.header.<Name>` headers. Streamed to a temp file beside
// the destination, fsynced and renamed, so a cut or a refusal leaves nothing half-written; a body that
// stalls or grows past the limit is cut off.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { isLedgeError, lazy, lazyResource, syncFile } from '@ledge/shared/util';
import { uploadAgentOptions } from '@ledge/file-upload/model-file-upload';
import { downloadFailedError, downloadStatusError, downloadTooLargeError } from './errors';

const undici = lazy(() => import('undici'));

export interface HttpDownloadOptions {
  readonly ca?: string | Buffer | undefined;
  readonly dispatcher?: Dispatcher;
}

export interface DownloadJob {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly dest: string;
  readonly maxBytes: number;
  /** The body may pause at most this long. */
  readonly stallMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpDownloader {
  download(job: DownloadJob): Promise<{ bytes: number }>;
  close(): Promise<void>;
}

export function createHttpDownloader(init: HttpDownloadOptions = {}): HttpDownloader {
  const owned = lazyResource(async () => {
    const { Agent } = await undici();
    return new Agent(uploadAgentOptions(init.ca));
  });
  return {
    async download(job) {
      const tmp = `${job.dest}.part`;
      let bytes = 0;
      try {
        const res = await (await undici()).request(job.url, {
          method: 'GET',
          headers: { ...job.headers },
          dispatcher: init.dispatcher ?? (await owned.get()),
          headersTimeout: job.stallMs,
          bodyTimeout: job.stallMs,
          ...(job.signal ? { signal: job.signal } : {}),
        });
        if (res.statusCode < 200 || res.statusCode > 299) {
          const text = await res.body.text().catch(() => '');
          throw downloadStatusError(job.url, res.statusCode, text);
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > job.maxBytes) {
          res.body.destroy();
          throw downloadTooLargeError(job.url, job.maxBytes);
        }
        const limit = new Transform({
          transform(chunk: Buffer, _e, cb) {
            bytes += chunk.length;
            cb(bytes > job.maxBytes ? downloadTooLargeError(job.url, job.maxBytes) : null, chunk);
          },
        });
        await pipeline(res.body, limit, createWriteStream(tmp, { mode: 0o600 }));
        await syncFile(tmp);
        await rename(tmp, job.dest);
        return { bytes };
      } catch (err) {
        await rm(tmp, { force: true });
        if (isLedgeError(err)) throw err;
        throw downloadFailedError(job.url, err);
      }
    },
    async close() {
      await owned.close();
    },
  };
}
