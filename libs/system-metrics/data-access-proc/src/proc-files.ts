// Reading one /proc file as untrusted text: bounded in size, fs errors translated once.
import { errnoOf, procParseError, procUnavailableError } from './errors';
import type { ProcFs } from './proc-fs';

/** No /proc file Ledge reads comes near this (/proc/stat of a 256-CPU machine is ~100 KiB). */
export const MAX_PROC_FILE_BYTES = 1024 * 1024;

// A process can exit between listing /proc and reading its files (ENOENT, or ESRCH from a directory that
// was already open); with hidepid=1 or ptrace restrictions its files are not ours to read (EACCES, EPERM).
const UNREADABLE_PROCESS = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM']);

// latin1 maps each byte to one character: a comm cut by the kernel in the middle of a UTF-8 sequence stays
// comparable byte for byte (see process-finder.ts) instead of becoming U+FFFD.
function decode(buf: Buffer, path: string): string {
  if (buf.length > MAX_PROC_FILE_BYTES) throw procParseError(path, `larger than ${MAX_PROC_FILE_BYTES} bytes`);
  return buf.toString('latin1');
}

/** A system-wide file (/proc/stat, …): every failure to read it is PROC_UNAVAILABLE. */
export async function readSystemFile(fs: ProcFs, path: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await fs.readHead(path, MAX_PROC_FILE_BYTES + 1);
  } catch (err) {
    throw procUnavailableError(path, err);
  }
  return decode(buf, path);
}

/**
 * A file of one process; undefined when the process is gone or hidden from us. `maxBytes` given: only
 * that head is wanted (cmdline can be megabytes of arguments), and a longer file is not an error.
 */
export async function readProcessFile(fs: ProcFs, path: string, maxBytes?: number): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await fs.readHead(path, maxBytes ?? MAX_PROC_FILE_BYTES + 1);
  } catch (err) {
    if (UNREADABLE_PROCESS.has(errnoOf(err) ?? '')) return undefined;
    throw procUnavailableError(path, err);
  }
  return maxBytes === undefined ? decode(buf, path) : buf.toString('latin1');
}
