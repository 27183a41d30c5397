// The apps' log files where there is no journald (issue 21; written by @ledge/shared/util's log-file.ts with
// `logDir`): `<app>.log` and its rotated `.1`..`.3` read as the journal of `ledge-<app>.service`, and
// `ledge.log` (the all-in-one `ledge run`) as `ledge.service`, so `appOfRecord` and every reader of the
// journal work unchanged. Streamed line by line; the files of each unit are merged by time.
import { createReadStream } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { JournalUnavailableError, type JournalQuery, type JournalReader, type JournalRecord } from './journal';

/** Rotated copies kept besides the current file (as the writer keeps them). */
const ROTATED = 3;
const DEFAULT_MAX_RECORDS = 1_000_000;

/** The unit a log file name stands for: `broker.log` → `ledge-broker.service`, `ledge.log` → `ledge.service`. Pure. */
export function unitOfLogFile(file: string): string | undefined {
  const m = /^(.+)\.log$/.exec(file);
  if (!m) return undefined;
  return m[1] === 'ledge' ? 'ledge.service' : `ledge-${m[1]}.service`;
}

/** The log file name of a unit, the inverse of unitOfLogFile; undefined for a unit that is not Ledge's. Pure. */
export function logFileOfUnit(unit: string): string | undefined {
  if (unit === 'ledge.service') return 'ledge.log';
  const m = /^ledge-(.+)\.service$/.exec(unit);
  return m ? `${m[1]}.log` : undefined;
}

/** One line of a log file → a record of `unit`; undefined for a line that is not a pino JSON line with a time. Pure. */
export function parseLogLine(unit: string, line: string): JournalRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined; // a torn last line (power cut) or garbage: not a record
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return undefined;
  const time = (r as { time?: unknown }).time;
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
  if (!Number.isFinite(ms)) return undefined;
  return { unit, timeUs: Math.round(ms * 1000), message: line };
}

async function unavailable<T>(dir: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new JournalUnavailableError(`no Ledge log files: cannot read the log directory ${dir} (${code})`);
  }
}

/** The units whose files are in `dir` (every `*.log` there). */
async function unitsIn(dir: string): Promise<string[]> {
  const names = await unavailable(dir, readdir(dir));
  return names.map(unitOfLogFile).filter((u): u is string => u !== undefined).sort();
}

/** A unit's files, oldest first (`.3` .. `.1`, then the current one), opened now so a rotation while reading moves nothing under us. */
async function openUnit(dir: string, unit: string): Promise<FileHandle[]> {
  const file = logFileOfUnit(unit);
  if (file === undefined) return [];
  const paths = [...Array.from({ length: ROTATED }, (_, i) => join(dir, `${file}.${ROTATED - i}`)), join(dir, file)];
  const handles: FileHandle[] = [];
  for (const p of paths) {
    try {
      handles.push(await open(p, 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        await Promise.all(handles.map((h) => h.close()));
        throw err;
      }
    }
  }
  return handles;
}

/** The records of one unit's files in file order, each file read up to its size when opened. */
async function* unitRecords(unit: string, handles: FileHandle[]): AsyncGenerator<JournalRecord> {
  for (const h of handles) {
    const { size } = await h.stat();
    if (size === 0) continue;
    const input = createReadStream('', { fd: h, start: 0, end: size - 1, autoClose: false });
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        const r = parseLogLine(unit, line);
        if (r !== undefined) yield r;
      }
    } finally {
      input.destroy(); // stopped early (maxRecords): no read left pending on a handle about to close
    }
  }
}

/**
 * Every record of the query's units within its window, in time order (the units' files merged), without
 * `lines` (the caller keeps what it wants: memory stays bounded). Rejects with JournalUnavailableError when
 * the directory cannot be read.
 */
export async function* logFileRecords(dir: string, q: Pick<JournalQuery, 'units' | 'sinceS' | 'untilS'>): AsyncGenerator<JournalRecord> {
  const dirStat = await unavailable(dir, stat(dir));
  if (!dirStat.isDirectory()) throw new JournalUnavailableError(`no Ledge log files: ${dir} is not a directory`);
  const units = q.units.length > 0 ? [...new Set(q.units)] : await unitsIn(dir);
  const opened: FileHandle[][] = [];
  const its: AsyncGenerator<JournalRecord>[] = [];
  try {
    for (const u of units) opened.push(await unavailable(dir, openUnit(dir, u)));
    const since = q.sinceS === undefined ? -Infinity : q.sinceS * 1e6;
    const until = q.untilS === undefined ? Infinity : q.untilS * 1e6;
    its.push(...units.map((u, i) => unitRecords(u, opened[i]!)));
    const heads = await Promise.all(its.map((it) => it.next()));
    for (;;) {
      // the earliest head: a k-way merge over a handful of units
      let k = -1;
      for (let i = 0; i < heads.length; i++) if (!heads[i]!.done && (k < 0 || heads[i]!.value!.timeUs < heads[k]!.value!.timeUs)) k = i;
      if (k < 0) return;
      const r = heads[k]!.value as JournalRecord;
      heads[k] = await its[k]!.next();
      if (r.timeUs >= since && r.timeUs <= until) yield r;
    }
  } finally {
    await Promise.all(its.map((it) => it.return(undefined)));
    await Promise.all(opened.flat().map((h) => h.close()));
  }
}

/** A JournalReader over the log files in `dir`: the same records journalctl gives for the same query. */
export function createLogFileReader(dir: string): JournalReader {
  return {
    async read(q) {
      const max = q.maxRecords ?? DEFAULT_MAX_RECORDS;
      if (q.lines === undefined) {
        const out: JournalRecord[] = [];
        for await (const r of logFileRecords(dir, q)) {
          out.push(r);
          if (out.length >= max) break;
        }
        return out;
      }
      return (await lastRecords(logFileRecords(dir, q), q.lines)).slice(0, max);
    },
  };
}

/** The last `n` of `records` (a ring of n: memory bounded whatever the files hold). */
export async function lastRecords<T>(records: AsyncIterable<T>, n: number, keep: (r: T) => boolean = () => true): Promise<T[]> {
  if (n <= 0) return [];
  const ring: T[] = new Array<T>(n);
  let count = 0;
  for await (const r of records) {
    if (!keep(r)) continue;
    ring[count % n] = r;
    count++;
  }
  return count <= n ? ring.slice(0, count) : [...ring.slice(count % n), ...ring.slice(0, count % n)];
}

/** The last `lines` records of every Ledge log file as text (`ledge diag`, as readLedgeJournalText); rejects with why there are none. */
export async function readLogFilesText(dir: string, lines = 5000): Promise<string> {
  const records = await createLogFileReader(dir).read({ units: [], lines });
  if (records.length === 0 && (await unitsIn(dir)).length === 0) throw new JournalUnavailableError(`no Ledge log files in ${dir}`);
  return records.map((r) => `${new Date(r.timeUs / 1000).toISOString()} ${r.unit}: ${r.message}\n`).join('');
}
