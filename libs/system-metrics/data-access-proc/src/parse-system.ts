// Pure parsers of the system-wide /proc files behind Kanto's SYSTEM metrics: cpu.utilization (/proc/stat),
// cpu.load1/5/15 (/proc/loadavg), memory.* (/proc/meminfo). `file` only names the file in error messages.
import { procParseError } from './errors';
import { decimalField, unsignedField } from './fields';

/** Aggregate CPU jiffies from the first `cpu ` line of /proc/stat. idle = idle + iowait; total = sum of user,nice,system,idle,iowait,irq,softirq,steal (guest/guest_nice are already in user/nice: do not add them). */
export interface CpuTimes {
  readonly total: number;
  readonly idle: number;
}

export interface LoadAverage {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

/** Bytes. used = total - available (MemAvailable; when a very old kernel lacks it, MemFree + Buffers + Cached). */
export interface MemoryInfo {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
}

// proc(5): user nice system idle iowait irq softirq steal guest guest_nice. Kernels before 2.6.11 print
// fewer columns (4 before 2.5.41); the columns after steal are counted inside user/nice already.
const CPU_COLUMNS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export function parseProcStat(text: string, file = '/proc/stat'): CpuTimes {
  // The aggregate line comes first; `cpu0`… lines follow. Search by prefix rather than position.
  let start = 0;
  if (!text.startsWith('cpu ')) {
    const i = text.indexOf('\ncpu ');
    if (i < 0) throw procParseError(file, 'no aggregate "cpu " line');
    start = i + 1;
  }
  const end = text.indexOf('\n', start);
  const tokens = text
    .slice(start + 4, end < 0 ? undefined : end)
    .trim()
    .split(/\s+/);
  if (tokens.length < 4) throw procParseError(file, `the "cpu " line has ${tokens.length} columns, at least 4 expected`);
  let total = 0;
  let idle = 0;
  CPU_COLUMNS.forEach((column, i) => {
    if (i >= tokens.length) return;
    const v = unsignedField(tokens[i], file, `cpu ${column}`);
    total += v;
    if (column === 'idle' || column === 'iowait') idle += v;
  });
  return { total, idle };
}

export function parseLoadAvg(text: string, file = '/proc/loadavg'): LoadAverage {
  // "0.36 0.28 0.27 1/111 23704": only the three averages are used.
  const t = text.trim().split(/\s+/);
  return {
    load1: decimalField(t[0], file, 'load1'),
    load5: decimalField(t[1], file, 'load5'),
    load15: decimalField(t[2], file, 'load15'),
  };
}

export function parseMemInfo(text: string, file = '/proc/meminfo'): MemoryInfo {
  const raw = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (!raw.has(key)) raw.set(key, line.slice(colon + 1).trim());
  }
  const kB = (key: string): number | undefined => {
    const v = raw.get(key);
    if (v === undefined) return undefined;
    const m = /^(\S+) kB$/.exec(v);
    return unsignedField(m?.[1], file, key) * 1024;
  };
  const totalBytes = kB('MemTotal');
  if (totalBytes === undefined) throw procParseError(file, 'no MemTotal');
  let available = kB('MemAvailable');
  if (available === undefined) {
    // MemAvailable exists since Linux 3.14; before, free + buffers + page cache is the usual estimate.
    const parts = ['MemFree', 'Buffers', 'Cached'].map((k) => [k, kB(k)] as const);
    const missing = parts.filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) throw procParseError(file, `no MemAvailable, and no ${missing.join(', ')} to estimate it`);
    available = parts.reduce((sum, [, v]) => sum + (v ?? 0), 0);
  }
  // An estimate (or a container's synthesized meminfo) may exceed the total; used is never negative.
  const availableBytes = Math.min(available, totalBytes);
  return { totalBytes, availableBytes, usedBytes: totalBytes - availableBytes };
}
