// Finding Kanto's named processes in /proc, the way gopsutil (which Kanto uses) names them. Sampling may
// run every second on a Raspberry Pi, so /proc is listed once and only the small status file of each pid
// is read; stat, io and cmdline are read for the few processes whose name matches.
import { join } from 'node:path';
import { procUnavailableError } from './errors';
import { commandBasename, parsePidIo, parsePidStat, parsePidStatus } from './parse-pid';
import { readProcessFile } from './proc-files';
import type { ProcFs } from './proc-fs';

export interface ProcessSample {
  readonly pid: number;
  /** The process name as matched (see processesNamed). */
  readonly name: string;
  /** utime + stime from /proc/<pid>/stat, in clock ticks. */
  readonly cpuTicks: number;
  /** VmRSS from /proc/<pid>/status, bytes (0 for kernel threads without it). Page-size independent on purpose (arm64 kernels with 16K/64K pages). */
  readonly rssBytes: number;
  /** read_bytes / write_bytes of /proc/<pid>/io; undefined when that file is not readable (EACCES for other users' processes without CAP_SYS_PTRACE). */
  readonly readBytes?: number;
  readonly writeBytes?: number;
}

/** TASK_COMM_LEN - 1: the kernel keeps at most this many bytes of a process name. */
const COMM_BYTES = 15;
/** Statuses read at once: enough to keep libuv's 4 threads busy, few enough to stop early. */
const BATCH = 8;
/** argv[0] is a path; PATH_MAX bytes of cmdline hold it (a longer one cannot be a name we look for). */
const CMDLINE_HEAD = 4096;

interface Wanted {
  readonly name: string;
  /** The name's UTF-8 bytes, one latin1 character each, as the files are decoded (proc-files.ts). */
  readonly bytes: string;
}

/**
 * The wanted names by the status Name that matches them: `exact` for every name (kernel threads may show
 * names longer than a comm there, e.g. `kworker/0:1-events` since Linux 4.18), `cut` by the first 15 bytes
 * for names a comm cannot hold, which cmdline must then confirm.
 */
function wantedNames(names: readonly string[]): { exact: Map<string, Wanted>; cut: Map<string, Wanted[]> } {
  const exact = new Map<string, Wanted>();
  const cut = new Map<string, Wanted[]>();
  for (const name of new Set(names)) {
    if (name === '') continue;
    const w = { name, bytes: Buffer.from(name, 'utf8').toString('latin1') };
    exact.set(w.bytes, w);
    if (w.bytes.length > COMM_BYTES) {
      const comm = w.bytes.slice(0, COMM_BYTES);
      cut.set(comm, [...(cut.get(comm) ?? []), w]);
    }
  }
  return { exact, cut };
}

/** A pid whose name matched nothing is not read again for this long (a new pid is read at once). */
export const RECHECK_MS = 10_000;

export interface ProcessFinderOptions {
  readonly now?: () => number;
  readonly recheckMs?: number;
}

/**
 * A finder that remembers each pid's name between samples: reading every pid's status once a second
 * cost a Raspberry Pi class core about 1 % (bench/system-metrics) for a name that is not running. A pid
 * read within `recheckMs` whose name matched none of the wanted ones is skipped; its entry is re-read
 * after that, so a pid reused by a wanted process is found within `recheckMs`. Pids gone from /proc are
 * forgotten at each listing.
 */
export function createProcessFinder(fs: ProcFs, root: string, options: ProcessFinderOptions = {}): (names: readonly string[]) => Promise<Map<string, ProcessSample>> {
  const now = options.now ?? Date.now;
  const recheckMs = options.recheckMs ?? RECHECK_MS;
  const seen = new Map<number, { name: string; at: number }>();
  return (names) => findProcessesNamed(fs, root, names, { seen, now, recheckMs });
}

interface NameCache {
  readonly seen: Map<number, { name: string; at: number }>;
  readonly now: () => number;
  readonly recheckMs: number;
}

export async function findProcessesNamed(fs: ProcFs, root: string, names: readonly string[], cache?: NameCache): Promise<Map<string, ProcessSample>> {
  const found = new Map<string, ProcessSample>();
  const { exact, cut } = wantedNames(names);
  if (exact.size === 0) return found;
  const listed = await listPids(fs, root);
  const t = cache?.now() ?? 0;
  if (cache) {
    const live = new Set(listed);
    for (const pid of cache.seen.keys()) if (!live.has(pid)) cache.seen.delete(pid);
  }
  // A pid read lately whose name matched nothing wanted now is skipped (see createProcessFinder).
  const pids = cache
    ? listed.filter((pid) => {
        const s = cache.seen.get(pid);
        return s === undefined || t - s.at >= cache.recheckMs || exact.has(s.name) || cut.has(s.name);
      })
    : listed;
  // Lowest pid first, so the first match of a name is the one reported; stop once every name has one.
  for (let i = 0; i < pids.length && found.size < exact.size; i += BATCH) {
    const batch = pids.slice(i, i + BATCH);
    const statuses = await Promise.all(batch.map((pid) => readProcessFile(fs, join(root, String(pid), 'status'))));
    for (const [j, pid] of batch.entries()) {
      const text = statuses[j];
      if (text === undefined) {
        cache?.seen.set(pid, { name: '', at: t }); // hidden or gone: not read again for a while either
        continue;
      }
      const status = parsePidStatus(text, join(root, String(pid), 'status'));
      cache?.seen.set(pid, { name: status.name, at: t });
      const direct = [exact.get(status.name)].filter((w): w is Wanted => w !== undefined && !found.has(w.name));
      const viaCmdline = (cut.get(status.name) ?? []).filter((w) => !found.has(w.name));
      if (direct.length + viaCmdline.length === 0) continue;
      for (const [name, s] of await matchProcess(fs, root, pid, status, direct, viaCmdline)) found.set(name, s);
    }
  }
  return found;
}

async function listPids(fs: ProcFs, root: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (err) {
    throw procUnavailableError(root, err);
  }
  return entries
    .filter((e) => /^[1-9]\d{0,9}$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The names this process really has (`viaCmdline` ones only if argv[0] confirms), each with its sample. */
async function matchProcess(
  fs: ProcFs,
  root: string,
  pid: number,
  status: { readonly name: string; readonly rssBytes: number },
  direct: readonly Wanted[],
  viaCmdline: readonly Wanted[],
): Promise<[string, ProcessSample][]> {
  let confirmed: readonly Wanted[] = [];
  if (viaCmdline.length > 0) {
    const cmdline = await readProcessFile(fs, join(root, String(pid), 'cmdline'), CMDLINE_HEAD);
    const argv0 = cmdline === undefined ? undefined : commandBasename(cmdline);
    confirmed = viaCmdline.filter((w) => argv0 === w.bytes);
  }
  const matching = [...direct, ...confirmed];
  if (matching.length === 0) return [];
  const sample = await sampleProcess(fs, root, pid, status);
  return sample === undefined ? [] : matching.map((w) => [w.name, { ...sample, name: w.name }]);
}

async function sampleProcess(fs: ProcFs, root: string, pid: number, status: { readonly name: string; readonly rssBytes: number }): Promise<Omit<ProcessSample, 'name'> | undefined> {
  const dir = join(root, String(pid));
  const [statText, ioText] = await Promise.all([readProcessFile(fs, join(dir, 'stat')), readProcessFile(fs, join(dir, 'io'))]);
  if (statText === undefined) return undefined;
  const stat = parsePidStat(statText, join(dir, 'stat'));
  // The pid was reused (or the process renamed itself) between reading status and stat: not the one matched.
  if (stat.comm !== status.name) return undefined;
  const io = ioText === undefined ? undefined : parsePidIo(ioText, join(dir, 'io'));
  return { pid, cpuTicks: stat.utime + stat.stime, rssBytes: status.rssBytes, ...io };
}
