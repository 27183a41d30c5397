// Resumable, verified artifact download over HTTP(S) with undici (issue 5 §2, spec §5.5).
// Bytes go to `_temporary-<name>` beside the target; a small `_temporary-<name>.json` remembers the URL
// and the validators (ETag / Last-Modified), so after a cut *or a process kill* the next attempt asks for
// `Range: bytes=<size of the partial file>-` with `If-Range`, and a changed artifact starts over. The
// hash is fed only with bytes that reached the file, so file and hash always agree; a restart re-hashes
// the partial file once. Attempts that made progress reset the retry budget: a link that keeps
// cutting but keeps delivering finishes.
import { open, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dispatcher } from 'undici';
import { createBackoff, createLogger, isLedgeError, lazy, lazyResource, type Logger, withDefaults } from '@ledge/shared/util';
import {
  abortedError,
  checksumMismatchError,
  diskFullError,
  downloadFailedError,
  httpStatusError,
  sizeMismatchError,
  tooLargeError,
  urlInvalidError,
} from './errors';
import { createHashWorker, createInlineHasher, type Hasher } from './hasher';
import { hashFile, partialPaths, readState, sizeOf, streamToFile, writeJsonAtomic, type PartialState } from './partial-file';

/** undici is evaluated on the first download (an idle process does not pay for it). */
const undici = lazy(() => import('undici'));

export interface DownloaderOptions {
  /** PEM CA bundle for HTTPS servers; replaces Node's public CAs when given. */
  readonly ca?: string | Buffer;
  /** Attempts in a row that deliver no byte before giving up (0 = one attempt). */
  readonly retries: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Cut and retry a response that sends nothing for this long. */
  readonly stallTimeoutMs: number;
  readonly maxSize: number;
  /** Bytes that must stay free after the download. */
  readonly minFreeSpace: number;
  readonly logger?: Logger;
  /** Free bytes of the file system holding `dir` (default: fs.statfs). */
  readonly freeSpace?: (dir: string) => Promise<number>;
  /**
   * Hash on a worker thread, in parallel with receiving (default true): ~1.2x the throughput of hashing on
   * the event loop (docs/performance.md); costs a V8 isolate (~10 MB RSS) from the first download with a
   * checksum until 5 s after the last one. false hashes on the event loop.
   */
  readonly hashInWorker: boolean;
  /** fdatasync the partial file before it gets its final name (default false: a resume re-verifies instead). */
  readonly fsync: boolean;
}

/** Bytes of a response body held between the socket and the file (while a batch is written). */
const BODY_BUFFER_BYTES = 4 * 1024 * 1024;

export const defaultDownloaderOptions: Readonly<DownloaderOptions> = Object.freeze({
  retries: 5,
  retryInitialMs: 5_000,
  retryMaxMs: 60_000,
  stallTimeoutMs: 60_000,
  maxSize: 4 * 1024 ** 3,
  minFreeSpace: 64 * 1024 ** 2,
  hashInWorker: true,
  fsync: false,
});

export interface DownloadChecksum {
  readonly algorithm: 'sha256' | 'sha1' | 'md5';
  readonly expected: string;
}

export interface DownloadRequest {
  readonly url: string;
  /** Final path; written only when complete and verified. */
  readonly file: string;
  readonly expectedSize?: number;
  readonly checksum?: DownloadChecksum;
  readonly onProgress?: (bytes: number, total: number | undefined) => void;
  readonly signal?: AbortSignal;
}

export interface DownloadResult {
  readonly bytes: number;
  /** Offset the first attempt of this call started at (> 0: resumed from an earlier process). */
  readonly resumedFrom: number;
  /** HTTP requests made. */
  readonly requests: number;
  /** Bytes received over the network by this call. */
  readonly received: number;
  readonly digest: string | undefined;
}

export interface Downloader {
  download(req: DownloadRequest): Promise<DownloadResult>;
  close(): Promise<void>;
}

class Retryable extends Error {}

async function defaultFreeSpace(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

function contentRange(header: string | string[] | undefined): { start: number; total: number | undefined } | undefined {
  const m = typeof header === 'string' ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

function header(res: Dispatcher.ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createDownloader(options: Partial<DownloaderOptions> = {}): Downloader {
  const o = withDefaults(defaultDownloaderOptions, options);
  const logger = (o.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'downloader' });
  const freeSpace = o.freeSpace ?? defaultFreeSpace;
  const hashWorker = o.hashInWorker ? createHashWorker() : undefined;
  const agent = lazyResource(async () => {
    const { Agent, interceptors } = await undici();
    return new Agent({
      ...(o.ca !== undefined ? { connect: { ca: o.ca } } : {}),
      headersTimeout: o.stallTimeoutMs,
      bodyTimeout: o.stallTimeoutMs,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
  });

  async function download(req: DownloadRequest): Promise<DownloadResult> {
    const { url, file, signal } = req;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw urlInvalidError(url);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw urlInvalidError(url);
    if (req.expectedSize !== undefined && req.expectedSize > o.maxSize) throw tooLargeError(url, req.expectedSize, o.maxSize);
    const log = logger.child({ url: parsed.origin + parsed.pathname });
    const paths = partialPaths(file);
    let hashers: Hasher[] = [];
    const newHash = (): Hasher | undefined => {
      if (!req.checksum) return undefined;
      const h = hashWorker ? hashWorker.hasher(req.checksum.algorithm) : createInlineHasher(req.checksum.algorithm);
      hashers.push(h);
      return h;
    };
    try {
      return await run();
    } finally {
      await Promise.all(hashers.map((h) => h.close()));
      hashers = [];
    }

    async function run(): Promise<DownloadResult> {
      let state = await readState(paths.state);
      let offset = await sizeOf(paths.data);
      if (state === undefined || state.url !== url) {
        state = { url };
        offset = 0;
      }
      let hash = newHash();
      if (offset > 0 && hash) await hashFile(paths.data, hash, offset);
      const resumedFrom = offset;
      let pieced = offset > 0; // bytes of this artifact came from more than one response
      let restartedForChecksum = false;
      const backoff = createBackoff({ initialMs: o.retryInitialMs, maxMs: o.retryMaxMs, multiplier: 2, jitter: 0.25 });
      let failures = 0;
      let requests = 0;
      let received = 0;

      const restart = async () => {
        offset = 0;
        hash = newHash();
        state = { url };
        await rm(paths.data, { force: true });
      };

      let hashAhead = false; // a failed write left the digest ahead of the file
      for (;;) {
        if (signal?.aborted) throw abortedError(url);
        if (hashAhead) {
          hash = newHash();
          if (hash) await hashFile(paths.data, hash, offset);
          hashAhead = false;
        }
        const before = offset;
        try {
          const headers: Record<string, string> = { 'accept-encoding': 'identity' };
          if (offset > 0) {
            headers['range'] = `bytes=${offset}-`;
            const validator = state.etag ?? state.lastModified;
            if (validator !== undefined) headers['if-range'] = validator;
          }
          requests++;
          const { request } = await undici();
          const res = await request(url, { dispatcher: await agent.get(), headers, ...(signal ? { signal } : {}) });
          let total: number | undefined;
          if (res.statusCode === 206 && offset > 0) {
            const cr = contentRange(res.headers['content-range']);
            if (cr === undefined || cr.start !== offset) {
              await res.body.dump();
              log.warn({ offset, contentRange: res.headers['content-range'] }, 'unexpected Content-Range, starting over');
              await restart();
              throw new Retryable('unexpected Content-Range');
            }
            total = cr.total;
          } else if (res.statusCode === 200) {
            if (offset > 0) log.info({ offset }, 'server sent the whole artifact, starting over');
            offset = 0;
            hash = newHash();
            pieced = false;
            const len = header(res, 'content-length');
            total = len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
          } else if (res.statusCode === 416 && offset > 0) {
            await res.body.dump();
            if (state.total !== undefined && offset === state.total) {
              total = offset; // the partial file is already complete
            } else {
              await restart();
              throw new Retryable('range not satisfiable');
            }
          } else {
            await res.body.dump();
            if (res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429) throw new Retryable(`HTTP ${res.statusCode}`);
            throw httpStatusError(url, res.statusCode);
          }
          if (total !== undefined) {
            if (total > o.maxSize) throw tooLargeError(url, total, o.maxSize);
            if (req.expectedSize !== undefined && total !== req.expectedSize) throw sizeMismatchError(url, req.expectedSize, total);
          }
          const limit = Math.min(o.maxSize, total ?? Infinity, req.expectedSize ?? Infinity);
          const need = (total ?? req.expectedSize ?? 0) - offset;
          const checkFreeSpace = async () => {
            const free = await freeSpace(dirname(file));
            if (free - need < o.minFreeSpace) throw diskFullError(dirname(file), need + o.minFreeSpace, free);
          };
          if (res.statusCode === 416) await checkFreeSpace();
          else {
            const next: PartialState = { url, total: total ?? 0 };
            const etag = header(res, 'etag');
            const lm = header(res, 'last-modified');
            if (etag !== undefined && !etag.startsWith('W/')) next.etag = etag;
            if (lm !== undefined) next.lastModified = lm;
            if (total === undefined) delete next.total;
            state = next;
            // The body is read off the socket from here on, while free space is checked, the state file
            // written and the partial file opened.
            const file = (async () => {
              await checkFreeSpace();
              await writeJsonAtomic(paths.state, next);
              return open(paths.data, offset > 0 ? 'r+' : 'w');
            })();
            try {
              await streamToFile(res.body, {
                file,
                start: offset,
                hash,
                bufferBytes: BODY_BUFFER_BYTES,
                check: (pos) => {
                  if (pos > limit) throw tooLargeError(url, pos, limit);
                },
                onWritten: (pos) => {
                  received += pos - offset;
                  offset = pos;
                  req.onProgress?.(pos, total);
                },
                onHashAhead: () => (hashAhead = true),
              });
            } finally {
              const fh = await file.catch(() => undefined);
              if (fh) {
                if (o.fsync) await fh.datasync();
                await fh.close();
              }
            }
            if (total !== undefined && offset < total) throw new Retryable(`body ended at ${offset} of ${total} bytes`);
            // A complete body without a length that is shorter than the request declared: a different artifact.
            if (total === undefined && req.expectedSize !== undefined && offset !== req.expectedSize) throw sizeMismatchError(url, req.expectedSize, offset);
          }
          // Complete: verify, then publish the file under its final name.
          const digest = await hash?.digest();
          if (req.checksum && digest !== req.checksum.expected) {
            if (pieced && !restartedForChecksum) {
              // Pieces from several responses (or a partial file from before a power cut) may disagree:
              // one fresh download settles whether the artifact itself is wrong.
              log.warn({ algorithm: req.checksum.algorithm }, 'checksum mismatch after resuming, downloading once more from the start');
              restartedForChecksum = true;
              pieced = false;
              await restart();
              continue;
            }
            await rm(paths.data, { force: true });
            await rm(paths.state, { force: true });
            throw checksumMismatchError(url, req.checksum.algorithm, req.checksum.expected, digest ?? '');
          }
          await rename(paths.data, file);
          await rm(paths.state, { force: true });
          return { bytes: offset, resumedFrom, requests, received, digest };
        } catch (err) {
          if (signal?.aborted) throw abortedError(url);
          if (isLedgeError(err)) throw err;
          if (offset > before) {
            failures = 0;
            backoff.reset();
          } else failures++;
          if (offset > 0) pieced = true;
          if (failures > o.retries) throw downloadFailedError(url, failures, err);
          const delay = backoff.next();
          log.warn({ err: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code }, offset, attempt: failures, delayMs: delay }, 'download interrupted, retrying');
          await sleep(delay, signal);
        }
      }
    }
  }

  return {
    download,
    async close() {
      await Promise.all([agent.close(), hashWorker?.close()]);
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

// Kept for callers that only want a file's digest (e.g. FILE artifacts).
export async function digestFile(path: string, algorithm: DownloadChecksum['algorithm']): Promise<string> {
  const h = createInlineHasher(algorithm);
  await hashFile(path, h, await sizeOf(path));
  return h.digest();
}

