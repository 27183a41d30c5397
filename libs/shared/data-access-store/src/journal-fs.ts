// The file-system operations the journal needs, as an injected collaborator (STYLE.md "Options objects
// and injected collaborators"): the default is node:fs; tests wrap it to inject ENOSPC or EIO.
// Callback fs with raw descriptors: cheaper per call than FileHandle promises on the write path.
import * as fs from 'node:fs';

/**
 * Writes up to this size go to the page cache with one write(2) on the calling thread. Through the
 * thread pool the same write cost ~7 µs of CPU (submission, a worker's wake-up, the completion's wake-up
 * of the loop) against ~1 µs for the syscall itself, and the broker makes one per event-loop turn under
 * load (docs/performance.md, 2026-12-07). Larger ones (a backlog, snapshot chunks) stay off the loop.
 */
export const SYNC_WRITE_MAX_BYTES = 256 * 1024;

export interface JournalFs {
  mkdir(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** Size in bytes. */
  size(path: string): Promise<number>;
  open(path: string, flags: 'r' | 'r+' | 'w' | 'wx'): Promise<number>;
  /** Reads into `buf[0, length)` from `position`; resolves with the bytes read (0 at EOF). */
  read(fd: number, buf: Buffer, length: number, position: number): Promise<number>;
  /** Writes all of `buf` at the current file position (handles partial writes). */
  write(fd: number, buf: Buffer): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes created, renamed and deleted entries of `dir` durable (fsync of the directory). */
  syncDir(dir: string): Promise<void>;
}

function cb<T>(run: (done: (err: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, v) => (err ? reject(err) : resolve(v))));
}

function writeAllSync(fd: number, buf: Buffer): void {
  let offset = 0;
  while (offset < buf.length) offset += fs.writeSync(fd, buf, offset, buf.length - offset);
}

function writeAll(fd: number, buf: Buffer, offset: number, done: (err: NodeJS.ErrnoException | null) => void): void {
  fs.write(fd, buf, offset, buf.length - offset, null, (err, n) => {
    if (err) return done(err);
    if (offset + n < buf.length) return writeAll(fd, buf, offset + n, done);
    done(null);
  });
}

export const nodeJournalFs: JournalFs = Object.freeze({
  mkdir: async (dir: string) => {
    await fs.promises.mkdir(dir, { recursive: true });
  },
  readdir: (dir: string) => fs.promises.readdir(dir),
  size: async (path: string) => (await fs.promises.stat(path)).size,
  open: (path: string, flags: 'r' | 'r+' | 'w' | 'wx') => cb<number>((done) => fs.open(path, flags, 0o640, done)),
  read: (fd: number, buf: Buffer, length: number, position: number) =>
    cb<number>((done) => fs.read(fd, buf, 0, length, position, done)),
  write: (fd: number, buf: Buffer) => {
    if (buf.length > SYNC_WRITE_MAX_BYTES) return cb<void>((done) => writeAll(fd, buf, 0, (err) => done(err, undefined)));
    try {
      writeAllSync(fd, buf);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  },
  fdatasync: (fd: number) => cb<void>((done) => fs.fdatasync(fd, (err) => done(err, undefined))),
  ftruncate: (fd: number, length: number) => cb<void>((done) => fs.ftruncate(fd, length, (err) => done(err, undefined))),
  close: (fd: number) => cb<void>((done) => fs.close(fd, (err) => done(err, undefined))),
  rename: (from: string, to: string) => fs.promises.rename(from, to),
  unlink: (path: string) => fs.promises.unlink(path),
  syncDir: async (dir: string) => {
    const fd = await cb<number>((done) => fs.open(dir, 'r', done));
    try {
      await cb<void>((done) => fs.fsync(fd, (err) => done(err, undefined)));
    } catch (err) {
      // Some file systems (and Windows) refuse fsync on a directory; the rename is still atomic there.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw err;
    } finally {
      await cb<void>((done) => fs.close(fd, (err) => done(err, undefined)));
    }
  },
});
