// The partial file of a download and its state file: `_temporary-<name>` and `_temporary-<name>.json`
// (URL, ETag / Last-Modified, total size), written atomically; a sink that writes at explicit positions
// and hashes only what reached the file.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
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

/** Writes at an explicit position and hashes only what reached the file. */
export function fileSink(fh: FileHandle, start: number, hash: Hasher | undefined, check: (position: number) => void, onWritten: (position: number) => void): Writable & { position: () => number } {
  let position = start;
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    writev(chunks, cb) {
      const bufs = chunks.map((c) => c.chunk as Buffer);
      const n = bufs.reduce((s, b) => s + b.length, 0);
      try {
        check(position + n);
      } catch (err) {
        cb(err as Error);
        return;
      }
      fh.writev(bufs, position).then(
        ({ bytesWritten }) => {
          if (bytesWritten !== n) return cb(new Error(`short write (${bytesWritten} of ${n} bytes)`));
          position += n;
          onWritten(position);
          if (hash === undefined) return cb();
          hash.update(bufs).then(() => cb(), (err: Error) => cb(err));
        },
        (err: Error) => cb(err),
      );
    },
  }) as Writable & { position: () => number };
  sink.position = () => position;
  return sink;
}
