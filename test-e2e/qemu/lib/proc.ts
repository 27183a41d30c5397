// Running host commands for the e2e test: output captured, failures carry the command and its stderr.
import { spawn, spawnSync } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds; the command is killed after it. */
  timeoutMs?: number;
  /** Print the command's output as it comes (long steps such as mmdebstrap). */
  stream?: boolean;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`${command} exited ${result.code}:\n${(result.stderr || result.stdout).trim().split('\n').slice(-30).join('\n')}`);
  }
}

/** Runs a command; rejects with CommandError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.stream) process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.stream) process.stderr.write(d);
    });
    // A command that exits without reading its input makes the write fail with EPIPE; its exit code says what went wrong.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : -1), stdout, stderr, ms: Date.now() - started };
      if (result.code === 0) resolve(result);
      else reject(new CommandError(signal ? `${command} (killed by ${signal})` : command, result));
    });
  });
}

/** Whether a program is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Seconds with one decimal, for the timing lines. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
