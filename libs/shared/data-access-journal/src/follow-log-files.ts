// `ledge logs -f` where there is no journald (issue 21): new lines of the units' log files as they are
// written, across rotations. Polled (as `tail -F`): a rotation renames the file, so its inode changes; the
// old file is read to its end through the handle still open, then the new one from its start.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { logFileOfUnit, parseLogLine } from './log-files';
import type { JournalRecord } from './journal';

export interface FollowLogFilesOptions {
  readonly onRecord: (r: JournalRecord) => void;
  /** Told of a read error other than a missing file (the follower goes on polling). */
  readonly onError?: (err: Error) => void;
  readonly signal?: AbortSignal;
  /** Called once the files are open at their end: what is written from then on is followed. */
  readonly onReady?: () => void;
  /** Default 250 ms. */
  readonly pollMs?: number;
}

interface Followed {
  readonly unit: string;
  readonly path: string;
  handle?: FileHandle;
  ino?: number;
  offset: number;
  partial: string;
  /** A character split between two reads stays whole. */
  decoder: StringDecoder;
}

/**
 * Follows the current files of `units` in `dir` from their present end (lines written before are the
 * caller's initial read). Resolves when the signal aborts.
 */
export async function followLogFiles(dir: string, units: readonly string[], options: FollowLogFilesOptions): Promise<void> {
  const files: Followed[] = units.flatMap((unit) => {
    const f = logFileOfUnit(unit);
    return f === undefined ? [] : [{ unit, path: join(dir, f), offset: 0, partial: '', decoder: new StringDecoder('utf8') }];
  });
  for (const f of files) await openAt(f, 'end');
  options.onReady?.();
  const pollMs = options.pollMs ?? 250;
  await new Promise<void>((resolve) => {
    let running: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      // a slow disk: never two polls at once
      running ??= Promise.all(files.map((f) => poll(f, options))).finally(() => (running = undefined));
    }, pollMs);
    const stop = () => {
      clearInterval(timer);
      void Promise.resolve(running)
        .then(() => Promise.all(files.map((f) => f.handle?.close())))
        .finally(resolve);
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Opens the file now at `path`; 'end': reads only what is written from now on. A missing file stays unopened. */
async function openAt(f: Followed, from: 'start' | 'end'): Promise<void> {
  try {
    const h = await open(f.path, 'r');
    const st = await h.stat();
    Object.assign(f, { handle: h, ino: st.ino, offset: from === 'end' ? st.size : 0, partial: '', decoder: new StringDecoder('utf8') });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function poll(f: Followed, options: FollowLogFilesOptions): Promise<void> {
  try {
    const now = await stat(f.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined; // between the rename and the writer's next line
      throw err;
    });
    if (f.handle !== undefined && now !== undefined && now.ino === f.ino && now.size < f.offset) Object.assign(f, { offset: 0, partial: '', decoder: new StringDecoder('utf8') }); // truncated in place
    await drain(f, options);
    if (now !== undefined && (f.handle === undefined || now.ino !== f.ino)) {
      // rotated (or created): the old file was read to its end above; the new one from its start
      await f.handle?.close();
      f.handle = undefined;
      await openAt(f, 'start');
      await drain(f, options);
    }
  } catch (err) {
    options.onError?.(err as Error);
  }
}

/** Reads what the open file holds past the offset and hands on each whole line. */
async function drain(f: Followed, options: FollowLogFilesOptions): Promise<void> {
  if (f.handle === undefined) return;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const { bytesRead } = await f.handle.read(buf, 0, buf.length, f.offset);
    if (bytesRead === 0) return;
    f.offset += bytesRead;
    const text = f.partial + f.decoder.write(buf.subarray(0, bytesRead));
    const lines = text.split('\n');
    f.partial = lines.pop() ?? ''; // a line being written: completed by a later read
    for (const line of lines) {
      const r = parseLogLine(f.unit, line);
      if (r !== undefined) options.onRecord(r);
    }
  }
}
