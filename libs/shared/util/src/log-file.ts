// The apps' log file where there is no journald (issue 21): `<dir>/<name>.log`, JSON lines as on stdout,
// rotated by size to `.1`..`.3` (the oldest dropped). Written synchronously, as pino writes stdout: a line
// is on disk (in the page cache) before the call returns, so a crash loses nothing already logged, and
// there is no buffer to flush on exit. One writer per file: every process writes its own name.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Rotated files kept besides the current one: `<name>.log.1` (newest) .. `.3` (oldest). */
export const LOG_FILE_KEEP = 3;
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const MIN_LOG_MAX_BYTES = 64 * 1024;

export interface LogFileOptions {
  dir: string;
  /** The file is `<dir>/<name>.log`. */
  name: string;
  /** Rotate before a write would take the file past this size. */
  maxBytes?: number;
  /** Told once when a write fails (disk full, file removed under us): logging must not stop the app. */
  onError?: (err: Error) => void;
}

export interface LogFileStream {
  readonly path: string;
  /** Appends one or more whole lines. */
  write(chunk: string): boolean;
  close(): void;
}

/** The path of a log file and its rotated copies, newest first: `x.log`, `x.log.1`, ... */
export function logFilePaths(dir: string, name: string): string[] {
  const base = join(dir, `${name}.log`);
  return [base, ...Array.from({ length: LOG_FILE_KEEP }, (_, i) => `${base}.${i + 1}`)];
}

/**
 * Opens (creating the directory 0750 and the file 0640 if missing) the log file; throws the fs error
 * (ENOTDIR, EACCES, ...) when the directory cannot be used, so the caller can report a config error.
 */
export function createLogFileStream(options: LogFileOptions): LogFileStream {
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const paths = logFilePaths(options.dir, options.name);
  const path = paths[0]!;
  // a file where the directory should be: say so (mkdir alone would say EEXIST)
  if (!statSync(options.dir, { throwIfNoEntry: false })?.isDirectory()) mkdirSync(options.dir, { recursive: true, mode: 0o750 });
  let fd: number | undefined;
  let size = 0;
  let failed = false;
  const open = () => {
    fd = openSync(path, 'a', 0o640);
    size = fstatSync(fd).size;
  };
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true; // once: a full disk would otherwise report every line
    options.onError?.(err as Error);
  };
  const rotate = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    // .2 → .3 (the old .3 is replaced, i.e. dropped), .1 → .2, current → .1
    for (let i = paths.length - 1; i > 0; i--) {
      try {
        renameSync(paths[i - 1]!, paths[i]!);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // fewer rotated files than kept so far
      }
    }
    open();
  };
  open();
  return {
    path,
    write(chunk) {
      const bytes = Buffer.byteLength(chunk);
      try {
        if (size > 0 && size + bytes > maxBytes) rotate();
        if (fd === undefined) open();
        writeSync(fd!, chunk);
        size += bytes;
        failed = false;
      } catch (err) {
        fail(err);
      }
      return true;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
