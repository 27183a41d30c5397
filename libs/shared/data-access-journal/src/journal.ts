// journald, read through journalctl (issue 21: `ledge logs`, the Logs feature, `ledge diag`): the records of
// the Ledge units, each with its unit, time and message, and which Ledge app a record belongs to (its own
// unit, or its lines in the all-in-one ledge.service, which carry `"app":"<app>"`).
import { execFile, spawn } from 'node:child_process';

export interface JournalRecord {
  /** `_SYSTEMD_UNIT`, e.g. `ledge-broker.service`. */
  readonly unit: string;
  /** `__REALTIME_TIMESTAMP`: microseconds since the epoch. */
  readonly timeUs: number;
  readonly message: string;
}

/** One `journalctl -o json` line → a record; undefined for anything else. Pure. */
export function parseJournalRecord(line: string): JournalRecord | undefined {
  let r: { _SYSTEMD_UNIT?: unknown; MESSAGE?: unknown; __REALTIME_TIMESTAMP?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return undefined;
  }
  if (r === null || typeof r !== 'object') return undefined;
  // journald keeps a message with control characters (or not UTF-8) as an array of bytes
  const message = typeof r.MESSAGE === 'string' ? r.MESSAGE : Array.isArray(r.MESSAGE) && r.MESSAGE.every((b) => Number.isInteger(b)) ? Buffer.from(r.MESSAGE as number[]).toString('utf8') : undefined;
  const timeUs = Number(r.__REALTIME_TIMESTAMP);
  if (message === undefined || typeof r._SYSTEMD_UNIT !== 'string') return undefined;
  return { unit: r._SYSTEMD_UNIT, timeUs: Number.isFinite(timeUs) ? timeUs : 0, message };
}

/** The Ledge app a record belongs to, or undefined. Pure. */
export function appOfRecord(r: JournalRecord): string | undefined {
  const own = /^ledge-(.+)\.service$/.exec(r.unit);
  if (own) return own[1];
  if (r.unit !== 'ledge.service') return undefined;
  try {
    const line = JSON.parse(r.message) as { app?: unknown; name?: unknown };
    if (typeof line.app === 'string') return line.app;
    return typeof line.name === 'string' ? line.name : undefined;
  } catch {
    return undefined;
  }
}

export interface JournalQuery {
  /** Units to read, e.g. `ledge-broker.service`. */
  readonly units: readonly string[];
  /** Unix seconds, inclusive. */
  readonly sinceS?: number;
  readonly untilS?: number;
  /** The last this many records (journalctl -n). */
  readonly lines?: number;
  /** Stop after this many records (a bound on memory); default 1,000,000. */
  readonly maxRecords?: number;
}

export interface JournalReader {
  read(q: JournalQuery): Promise<JournalRecord[]>;
}

export class JournalUnavailableError extends Error {}

export function journalctlArgs(q: JournalQuery): string[] {
  return [
    '--no-pager',
    '-o',
    'json',
    ...q.units.flatMap((u) => ['-u', u]),
    ...(q.sinceS !== undefined ? ['--since', `@${Math.floor(q.sinceS)}`] : []),
    ...(q.untilS !== undefined ? ['--until', `@${Math.floor(q.untilS)}`] : []),
    ...(q.lines !== undefined ? ['-n', String(q.lines)] : []),
  ];
}

/** Reads with `journalctl` (streamed: memory stays bounded by maxRecords). */
export function createJournalctlReader(command = 'journalctl'): JournalReader {
  return {
    read(q) {
      const max = q.maxRecords ?? 1_000_000;
      return new Promise((resolve, reject) => {
        const child = spawn(command, journalctlArgs(q), { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: JournalRecord[] = [];
        let buf = '';
        let err = '';
        let done = false;
        const finish = (e?: Error) => {
          if (done) return;
          done = true;
          if (e) reject(e);
          else resolve(out);
        };
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const rec = parseJournalRecord(buf.slice(0, i));
            buf = buf.slice(i + 1);
            if (rec) out.push(rec);
            if (out.length >= max) {
              child.kill();
              finish();
              return;
            }
          }
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
        child.once('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ENOENT' ? new JournalUnavailableError('journalctl not found: no journald here') : e));
        child.once('close', (code) => {
          if (code === 0 || done) return finish();
          finish(new JournalUnavailableError(`journalctl: ${err.trim() || `exit code ${code}`}`));
        });
      });
    },
  };
}

/** The last `lines` lines of every Ledge unit's journal as text (`ledge diag`); rejects with why there is none. */
export function readLedgeJournalText(lines = 5000, command = 'journalctl'): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, ['--no-pager', '-o', 'short-iso', '-n', String(lines), '-u', 'ledge*'], { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new JournalUnavailableError(stderr.trim() || err.message)) : resolve(stdout),
    ),
  );
}
