// Pure parsers of the per-process files behind Kanto's process metrics: /proc/<pid>/stat (CPU ticks),
// /proc/<pid>/status (name, resident memory), /proc/<pid>/io (bytes read and written), cmdline (long names).
// `file` only names the file in error messages.
import { procParseError } from './errors';
import { quote, unsignedField } from './fields';

/** /proc/<pid>/stat: comm is in parentheses and may itself contain spaces and ')' — take the LAST ')' . */
export function parsePidStat(
  text: string,
  file = '/proc/<pid>/stat',
): { readonly comm: string; readonly utime: number; readonly stime: number; readonly starttime: number } {
  // comm is printed raw (any bytes but NUL, up to 15), so it may contain ") S 1 (": only the last ')' can
  // close it, because the fields after it are numbers and a one-letter state.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw procParseError(file, 'no "(comm)" field');
  unsignedField(text.slice(0, open).trim(), file, 'pid');
  // After comm, proc(5) numbers the fields from 3 (state): utime is field 14, stime 15, starttime 22.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  return {
    comm: text.slice(open + 1, close),
    utime: unsignedField(rest[14 - 3], file, 'utime'),
    stime: unsignedField(rest[15 - 3], file, 'stime'),
    starttime: unsignedField(rest[22 - 3], file, 'starttime'),
  };
}

/** /proc/<pid>/status: Name and VmRSS (kB → bytes; absent → 0). */
export function parsePidStatus(text: string, file = '/proc/<pid>/status'): { readonly name: string; readonly rssBytes: number } {
  let name: string | undefined;
  let rss: string | undefined;
  for (const line of text.split('\n')) {
    if (name === undefined && line.startsWith('Name:')) name = line.slice(line.startsWith('Name:\t') ? 6 : 5);
    else if (rss === undefined && line.startsWith('VmRSS:')) rss = line.slice(6).trim();
    if (name !== undefined && rss !== undefined) break;
  }
  if (name === undefined) throw procParseError(file, 'no Name');
  // Kernel threads and zombies have no memory map, hence no VmRSS line: they use no user memory.
  const rssBytes = rss === undefined ? 0 : unsignedField(/^(\S+) kB$/.exec(rss)?.[1], file, `VmRSS ${quote(rss)}`) * 1024;
  return { name: unescapeName(name), rssBytes };
}

/** read_bytes / write_bytes of /proc/<pid>/io: bytes that went to or came from the storage layer. */
export function parsePidIo(text: string, file = '/proc/<pid>/io'): { readonly readBytes: number; readonly writeBytes: number } {
  let read: string | undefined;
  let write: string | undefined;
  for (const line of text.split('\n')) {
    if (read === undefined && line.startsWith('read_bytes:')) read = line.slice(11).trim();
    else if (write === undefined && line.startsWith('write_bytes:')) write = line.slice(12).trim();
  }
  return { readBytes: unsignedField(read, file, 'read_bytes'), writeBytes: unsignedField(write, file, 'write_bytes') };
}

/** The basename of argv[0] in /proc/<pid>/cmdline (NUL-separated); '' for kernel threads (empty cmdline). */
export function commandBasename(cmdline: string): string {
  const nul = cmdline.indexOf('\0');
  const argv0 = nul < 0 ? cmdline : cmdline.slice(0, nul);
  // As path.basename: trailing slashes do not count.
  const trimmed = argv0.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

// status escapes two characters of the comm so that one line stays one name: '\n' as `\n`, '\' as `\\`
// (fs/proc/array.c, proc_task_name). The stat file prints it raw; unescaping makes both comparable.
function unescapeName(escaped: string): string {
  return escaped.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}
