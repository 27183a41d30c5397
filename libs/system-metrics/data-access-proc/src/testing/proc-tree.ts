// Test helpers of this lib's specs: /proc file texts as the kernel prints them, a fixture /proc tree on
// disk, and the check that an error is this lib's PROC_PARSE naming the file.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isLedgeError } from '@ledge/shared/util';
import { ProcErrorCodes } from '../errors';

/** For assert.throws/rejects: a LedgeError with `code`, whose message names `file`. */
export function procError(code: string, file: string): (err: unknown) => true {
  return (err) => {
    assert.ok(isLedgeError(err), String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(file), err.message);
    return true;
  };
}

/** For assert.throws/rejects: PROC_PARSE (InvalidArgument) naming `file`. */
export function procParse(file: string): (err: unknown) => true {
  const check = procError(ProcErrorCodes.PROC_PARSE, file);
  return (err) => {
    assert.equal((err as { kind?: unknown }).kind, 'InvalidArgument');
    return check(err);
  };
}

/** /proc/<pid>/stat as the kernel prints it (fields 3…52). */
export function pidStatText(pid: number, comm: string, ticks: { utime?: number; stime?: number; starttime?: number } = {}): string {
  const { utime = 1520, stime = 340, starttime = 2277742 } = ticks;
  return `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 51213 8172 12 3 ${utime} ${stime} 7 2 20 0 11 0 ${starttime} 1102446592 14711 18446744073709551615 1 1 0 0 0 0 0 4096 17922 0 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}

/** /proc/<pid>/status, abridged; no VmRSS line when `rssKb` is undefined (kernel threads). */
export function pidStatusText(name: string, rssKb?: number): string {
  const vm = rssKb === undefined ? '' : `VmPeak:\t 1171440 kB\nVmSize:\t 1076592 kB\nVmRSS:\t${String(rssKb).padStart(8)} kB\n`;
  return `Name:\t${name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nPPid:\t1\n${vm}Threads:\t1\n`;
}

export function pidIoText(readBytes: number, writeBytes: number): string {
  return `rchar: 88172344\nwchar: 1203371\nsyscr: 20384\nsyscw: 5120\nread_bytes: ${readBytes}\nwrite_bytes: ${writeBytes}\ncancelled_write_bytes: 0\n`;
}

/** Writes `files` (paths relative to `root`) and returns `root`. */
export function writeProcTree(root: string, files: Readonly<Record<string, string | Buffer>>): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}
