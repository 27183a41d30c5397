// `ledge logs <app> [-f]` (issue 21): the journal of one Ledge app, whether it runs in its own unit
// (ledge-<app>.service) or hosted by the all-in-one ledge.service (whose lines carry `"app":"<app>"`).
// A front for journalctl: its JSON output is read, so the two units' lines are told apart by unit. Where
// there is no journald, with --log-dir (or LEDGE_LOG_DIR) the apps' log files are read instead.
import { spawn } from 'node:child_process';
import type { Argv } from 'yargs';
import { appOfRecord, followLogFiles, JournalUnavailableError, lastRecords, logFileRecords, parseJournalRecord, type JournalRecord } from '@ledge/shared/data-access-journal';
import { LEDGE_APPS } from '@ledge/shared/model-edge';
import { formatLine, SHARED_LOG_ENV } from '@ledge/shared/util';
import type { StatusIo } from './command';

type LogsIo = StatusIo & { stdout: { write(s: string): unknown; isTTY?: boolean } };

interface LogsArgs {
  app: string;
  follow: boolean;
  lines: number;
  since?: string;
  raw: boolean;
  'log-dir': string;
}

const UNIT_S: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 };

/**
 * --since for the log files, as journalctl takes the common forms: a date ("2026-12-07 08:00", ISO),
 * `@<unix seconds>` or "<n> <s|min|h|d> ago"; unix seconds, or undefined when not understood. Pure.
 */
export function parseSince(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  const at = /^@(\d+(?:\.\d+)?)$/.exec(t);
  if (at) return Number(at[1]);
  const ago = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s+ago$/i.exec(t);
  if (ago) {
    const unit = UNIT_S[ago[2]!.toLowerCase()];
    return unit === undefined ? undefined : nowMs / 1000 - Number(ago[1]) * unit;
  }
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** `ledge logs` over the log files in `dir`: the app's last lines (of both its files), then, with -f, what follows. */
async function fromLogFiles(a: LogsArgs, io: LogsIo, print: (line: string) => void): Promise<void> {
  const sinceS = a.since === undefined ? undefined : parseSince(a.since, Date.now());
  if (a.since !== undefined && sinceS === undefined) {
    io.stderr.write(`ledge logs: --since ${JSON.stringify(a.since)}: give a date, @<unix seconds> or "<n> min ago"\n`);
    io.setExitCode(2);
    return;
  }
  const units = [`ledge-${a.app}.service`, 'ledge.service'];
  const mine = (r: JournalRecord) => appOfRecord(r) === a.app;
  try {
    // the app's own last lines: the all-in-one file holds the other apps' too
    for (const r of await lastRecords(logFileRecords(a['log-dir'], { units, ...(sinceS !== undefined ? { sinceS } : {}) }), a.lines, mine)) print(r.message);
  } catch (err) {
    if (!(err instanceof JournalUnavailableError)) throw err;
    io.stderr.write(`ledge logs: ${err.message}\n`);
    io.setExitCode(1);
    return;
  }
  if (a.follow) await followLogFiles(a['log-dir'], units, { onRecord: (r) => void (mine(r) && print(r.message)), onError: (err) => io.stderr.write(`ledge logs: ${err.message}\n`) });
}

/** The message of one `journalctl -o json` record if it belongs to `app`, else undefined. Pure. */
export function appLine(app: string, record: string): string | undefined {
  const r = parseJournalRecord(record);
  return r !== undefined && appOfRecord(r) === app ? r.message : undefined;
}

export function logsCommand(cli: Argv, io: LogsIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, setExitCode: (c) => void (process.exitCode = c) }): Argv {
  return cli.command(
    'logs <app>',
    'print a Ledge app\'s journal (its own unit, or its lines in the all-in-one ledge.service)',
    (y) =>
      y
        .positional('app', { type: 'string', choices: LEDGE_APPS, describe: 'the app' })
        .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep printing new lines' })
        .option('lines', { alias: 'n', type: 'number', default: 200, describe: 'how many recent lines of each unit to start with' })
        .option('since', { type: 'string', describe: 'journalctl --since, e.g. "10 min ago" or "2026-12-07 08:00"' })
        .option('raw', { type: 'boolean', default: false, describe: 'the JSON lines as logged (default: readable on a terminal)' })
        .option('log-dir', { type: 'string', default: io.env[SHARED_LOG_ENV.logDir] ?? '', describe: `where there is no journald: read the apps' log files in this directory (the apps' logDir; env ${SHARED_LOG_ENV.logDir})` }),
    async (raw) => {
      const a = raw as unknown as LogsArgs;
      if (!Number.isSafeInteger(a.lines) || a.lines < 0) {
        io.stderr.write('ledge logs: --lines needs a whole number\n');
        io.setExitCode(2);
        return;
      }
      const pretty = !a.raw && io.stdout.isTTY === true;
      if (a['log-dir'] !== '') return fromLogFiles(a, io, (line) => io.stdout.write(`${pretty ? formatLine(line) : line}\n`));
      const args = ['--no-pager', '-o', 'json', '-u', `ledge-${a.app}.service`, '-u', 'ledge.service', '-n', String(a.lines), ...(a.since ? ['--since', a.since] : []), ...(a.follow ? ['-f'] : [])];
      await new Promise<void>((resolve) => {
        const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let buf = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = appLine(a.app, buf.slice(0, i));
            buf = buf.slice(i + 1);
            if (line !== undefined) io.stdout.write(`${pretty ? formatLine(line) : line}\n`);
          }
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
        child.once('error', (e: NodeJS.ErrnoException) => {
          io.stderr.write(`ledge logs: ${e.code === 'ENOENT' ? `journalctl not found: without journald, give the apps a log directory (logDir, ${SHARED_LOG_ENV.logDir}) and read it with --log-dir, or read the app's output where it runs` : e.message}\n`);
          io.setExitCode(1);
          resolve();
        });
        child.once('close', (code) => {
          if (code !== 0 && code !== null) {
            io.stderr.write(`ledge logs: journalctl: ${err.trim() || `exit code ${code}`}\n`);
            io.setExitCode(1);
          }
          resolve();
        });
      });
    },
  );
}
