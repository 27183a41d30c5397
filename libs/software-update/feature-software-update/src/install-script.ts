// The install-script contract (§5.4): the command runs with the module directory as CWD; exit code 0 is
// success; a `status` file of key=value lines (progress, message, statusCode) is watched and each change
// reported. A script running longer than the timeout is killed with its whole process group (SIGTERM,
// then SIGKILL), so a hung installer never blocks the queue.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScriptStatus, sameScriptStatus, type ScriptStatus } from '@ledge/software-update/model-software-update';
import type { Logger } from '@ledge/shared/util';

export interface RunScriptOptions {
  readonly cwd: string;
  /** Program and arguments. */
  readonly command: readonly string[];
  readonly timeoutMs: number;
  /** Grace between SIGTERM and SIGKILL. */
  readonly killGraceMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly onStatus?: (status: ScriptStatus) => void;
  /** How often the status file is read. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

export interface ScriptResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Set when the command could not be started (ENOENT, EACCES). */
  readonly spawnError?: Error;
  /** The last status the script wrote. */
  readonly status: ScriptStatus;
}

/** The configured `install` command, or `/bin/sh install.sh`; a `*.sh` first element runs via /bin/sh (§5.1). */
export function installCommand(configured: readonly string[]): string[] {
  if (configured.length === 0) return ['/bin/sh', 'install.sh'];
  return configured[0]!.endsWith('.sh') ? ['/bin/sh', ...configured] : [...configured];
}

export function runInstallScript(o: RunScriptOptions): Promise<ScriptResult> {
  const statusFile = join(o.cwd, 'status');
  let last: ScriptStatus = {};
  let lastText: string | undefined;
  const poll = async () => {
    let text: string;
    try {
      text = await readFile(statusFile, 'utf8');
    } catch {
      return; // not written yet
    }
    if (text === lastText) return;
    lastText = text;
    const s = parseScriptStatus(text);
    if (sameScriptStatus(s, last)) return;
    last = s;
    o.onStatus?.(s);
  };
  return new Promise<ScriptResult>((resolve) => {
    const [cmd, ...args] = o.command;
    const child = spawn(cmd!, args, {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: the timeout kills the script and everything it started
    });
    let timedOut = false;
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch (err) {
        o.logger.debug({ err }, 'kill of the install process group failed');
      }
    };
    const terminate = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), o.killGraceMs ?? 10_000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      o.logger.warn({ timeoutMs: o.timeoutMs }, 'install command timed out, killing it');
      terminate();
    }, o.timeoutMs);
    const onAbort = () => terminate();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let polling = Promise.resolve();
    const ticker = setInterval(() => {
      polling = polling.then(poll);
    }, o.pollMs ?? 200);
    const log = (stream: 'stdout' | 'stderr') => {
      let buf = '';
      return (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          o.logger.info({ stream, line: buf.slice(0, i).slice(0, 2000) }, 'install output');
          buf = buf.slice(i + 1);
        }
        if (buf.length > 8192) buf = buf.slice(-8192);
      };
    };
    child.stdout!.on('data', log('stdout'));
    child.stderr!.on('data', log('stderr'));
    child.once('error', (err) => {
      spawnError = err;
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearInterval(ticker);
      o.signal?.removeEventListener('abort', onAbort);
      // Whatever the script wrote last counts, even between two polls.
      void polling.then(poll).then(() => resolve({ exitCode: code, signal: sig, timedOut, ...(spawnError ? { spawnError } : {}), status: last }));
    });
  });
}
