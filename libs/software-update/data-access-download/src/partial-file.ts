// The partial file of a download and its state file: `_temporary-<name>` and `_temporary-<name>.json`
// (URL, ETag / Last-Modified, total size), written atomically; a sink that writes at explicit positions
// and hashes while it writes.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Writable, finished, type Readable } from 'node:stream';
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

/**
 * Writes at an explicit position and hashes each batch. An inline hasher hashes a batch while it is being
 * written (the file write runs on libuv's thread pool, the hash on this thread: the two overlap instead of
 * taking turns); if that write then fails, `onHashAhead` is called: the digest covers bytes the file does
 * not hold, and the caller must rebuild it from the file before going on. A hasher that takes the chunks
 * over (a worker) gets each batch once it is written, and hashes it while the next one is received.
 */
export function fileSink(
  fh: FileHandle,
  start: number,
  hash: Hasher | undefined,
  check: (position: number) => void,
  onWritten: (position: number) => void,
  onHashAhead: () => void = () => undefined,
): Writable & { position: () => number } {
  let position = start;
  const sink = new Writable({
    highWaterMark: 4 * 1024 * 1024,
    writev(chunks, cb) {
      const bufs = chunks.map((c) => c.chunk as Buffer);
      const n = bufs.reduce((s, b) => s + b.length, 0);
      try {
        check(position + n);
      } catch (err) {
        cb(err as Error);
        return;
      }
      const written = fh.writev(bufs, position).then(({ bytesWritten }) => {
        if (bytesWritten !== n) throw new Error(`short write (${bytesWritten} of ${n} bytes)`);
      });
      if (hash?.takesChunks === true) {
        written.then(
          () => {
            position += n;
            onWritten(position);
            hash.update(bufs).then(() => cb(), (err: Error) => cb(err));
          },
          (err: Error) => cb(err),
        );
        return;
      }
      const hashed = hash?.update(bufs);
      written.then(
        () => {
          position += n;
          onWritten(position);
          if (hashed === undefined) return cb();
          hashed.then(() => cb(), (err: Error) => cb(err));
        },
        (err: Error) => {
          if (hashed !== undefined) {
            onHashAhead();
            hashed.catch(() => undefined);
          }
          cb(err);
        },
      );
    },
  }) as Writable & { position: () => number };
  sink.position = () => position;
  return sink;
}

/**
 * Takes a response body off the socket at once into a buffer of `bytes` (undici's own is 64 KiB), so the
 * socket keeps being read while the file is opened and while a batch is written. The body's failure is
 * held back until everything received before it was handed on: a cut loses nothing that arrived.
 */
export interface BufferedBody {
  readonly stream: Readable;
  /** The body's error, once it failed. */
  failure(): Error | undefined;
  /** Drops the response: the body and what the buffer holds. */
  destroy(): void;
}

export function bufferBody(body: Readable, bytes: number): BufferedBody {
  const stream = new PassThrough({ highWaterMark: bytes });
  let failure: Error | undefined;
  finished(body, { writable: false }, (err) => {
    if (!err) return; // ended: pipe() ends the buffer
    failure = err;
    body.unpipe(stream);
    stream.end();
  });
  body.pipe(stream);
  return {
    stream,
    failure: () => failure,
    destroy() {
      body.destroy();
      stream.destroy();
    },
  };
}

/**
 * Streams a buffered body into `sink`; every byte received reaches the file before the body's error (a
 * cut connection, an abort) is thrown, so a resume starts after them. A sink error destroys the body.
 */
export function drainInto(body: BufferedBody, sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    sink.once('finish', () => {
      const err = body.failure();
      if (err) reject(err);
      else resolve();
    });
    sink.once('error', (err: Error) => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(err);
    });
    body.stream.pipe(sink);
  });
}
