// The partial file of a download and its state file: `_temporary-<name>` and `_temporary-<name>.json`
// (URL, ETag / Last-Modified, total size), written atomically; a sink that writes at explicit positions
// and hashes while it writes.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Hasher } from './hasher';

export interface PartialState {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

/** The partial file and its state file for a target path. */
export function partialPaths(file: string): { data: string; state: string } {
  const data = join(dirname(file), `_temporary-${basename(file)}`);
  return { data, state: `${data}.json` };
}



export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(value));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export async function readState(path: string): Promise<PartialState | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as PartialState;
    return typeof v?.url === 'string' ? v : undefined;
  } catch {
    return undefined; // missing or torn: start over
  }
}

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export async function hashFile(path: string, hash: Hasher, length: number): Promise<void> {
  if (length === 0) return;
  await pipeline(createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 }), new Writable({
    write(chunk: Buffer, _e, cb) {
      hash.update([chunk]).then(() => cb(), (err: Error) => cb(err));
    },
  }));
}

export interface StreamToFileOptions {
  /** The file, once it may be written (the caller checks free space and writes the state file first). */
  readonly file: Promise<FileHandle>;
  /** File position of the first body byte. */
  readonly start: number;
  readonly hash: Hasher | undefined;
  /** Body bytes held while a batch is written; the body is paused beyond this. */
  readonly bufferBytes: number;
  /** Throws to refuse a batch that would end at `position` (size limit). */
  readonly check: (position: number) => void;
  readonly onWritten: (position: number) => void;
  /** A write failed after an inline hasher had hashed its bytes: the digest is ahead of the file. */
  readonly onHashAhead: () => void;
}

/**
 * Reads a response body off the socket from the first byte (also while the file is still being opened)
 * and writes it at explicit positions, one batch at a time: whatever arrived while the previous batch
 * was being written. An inline hasher hashes a batch while it is being written (the write runs on
 * libuv's thread pool); a hasher that takes the chunks over (a worker) gets a batch once it is written.
 * Every byte taken off the body before it fails (a cut, an abort) reaches the file before the body's
 * error is thrown, so a resume starts after them; only what the body itself holds while paused (beyond
 * `bufferBytes`, at most its own highWaterMark) is fetched again. A write or check failure destroys the body.
 */
export function streamToFile(body: Readable, o: StreamToFileOptions): Promise<void> {
  let queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let bodyError: unknown;
  let wake: (() => void) | undefined;
  const kick = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  body.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= o.bufferBytes) body.pause();
    kick();
  });
  body.once('end', () => {
    ended = true;
    kick();
  });
  body.once('error', (err: Error) => {
    bodyError ??= err;
    ended = true;
    kick();
  });
  body.once('close', () => {
    if (!ended) bodyError ??= new Error('response body closed before its end');
    ended = true;
    kick();
  });

  return (async () => {
    let position = o.start;
    try {
      const fh = await o.file;
      for (;;) {
        if (queued === 0) {
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        const bufs = queue;
        const n = queued;
        queue = [];
        queued = 0;
        if (!ended && body.isPaused()) body.resume();
        o.check(position + n);
        const written = fh.writev(bufs, position).then(({ bytesWritten }) => {
          if (bytesWritten !== n) throw new Error(`short write (${bytesWritten} of ${n} bytes)`);
        });
        if (o.hash?.takesChunks === true) {
          await written;
          position += n;
          o.onWritten(position);
          await o.hash.update(bufs);
          continue;
        }
        const hashed = o.hash?.update(bufs);
        try {
          await written;
        } catch (err) {
          if (hashed !== undefined) {
            o.onHashAhead();
            hashed.catch(() => undefined);
          }
          throw err;
        }
        position += n;
        o.onWritten(position);
        await hashed;
      }
    } catch (err) {
      body.destroy();
      throw err;
    }
    if (bodyError !== undefined) throw bodyError;
  })();
}
