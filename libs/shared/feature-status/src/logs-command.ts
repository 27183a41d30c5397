// `ledge logs <app> [-f]` (issue 21): the journal of one Ledge app, whether it runs in its own unit
// (ledge-<app>.service) or hosted by the all-in-one ledge.service (whose lines carry `"app":"<app>"`).
// A front for journalctl: its JSON output is read, so the two units' lines are told apart by unit.
import { spawn } from 'node:child_process';
import type { Argv } from 'yargs';
import { appOfRecord, parseJournalRecord } from '@ledge/data-access-journal';
import { LEDGE_APPS } from '@ledge/model-edge';
import { formatLine } from '@ledge/util';
import type { StatusIo } from './command';

/** The message of one `journalctl -o json` record if it belongs to `app`, else undefined. Pure. */
export function appLine(app: string, record: string): string | undefined {
  const r = parseJournalRecord(record);
  return r !== undefined && appOfRecord(r) === app ? r.message : undefined;
}

export function logsCommand(cli: Argv, io: StatusIo & { stdout: { write(s: string): unknown; isTTY?: boolean } } = { stdout: process.stdout, stderr: process.stderr, env: process.env, setExitCode: (c) => void (process.exitCode = c) }): Argv {
  return cli.command(
    'logs <app>',
    'print a Ledge app\'s journal (its own unit, or its lines in the all-in-one ledge.service)',
    (y) =>
      y
        .positional('app', { type: 'string', choices: LEDGE_APPS, describe: 'the app' })
        .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep printing new lines' })
        .option('lines', { alias: 'n', type: 'number', default: 200, describe: 'how many recent lines of each unit to start with' })
        .option('since', { type: 'string', describe: 'journalctl --since, e.g. "10 min ago" or "2026-12-07 08:00"' })
        .option('raw', { type: 'boolean', default: false, describe: 'the JSON lines as logged (default: readable on a terminal)' }),
    async (raw) => {
      const a = raw as unknown as { app: string; follow: boolean; lines: number; since?: string; raw: boolean };
      if (!Number.isSafeInteger(a.lines) || a.lines < 0) {
        io.stderr.write('ledge logs: --lines needs a whole number\n');
        io.setExitCode(2);
        return;
      }
      const args = ['--no-pager', '-o', 'json', '-u', `ledge-${a.app}.service`, '-u', 'ledge.service', '-n', String(a.lines), ...(a.since ? ['--since', a.since] : []), ...(a.follow ? ['-f'] : [])];
      const pretty = !a.raw && io.stdout.isTTY === true;
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
          io.stderr.write(`ledge logs: ${e.code === 'ENOENT' ? 'journalctl not found: without journald, read the app\'s output where it runs (ledge run prints every app\'s lines)' : e.message}\n`);
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
