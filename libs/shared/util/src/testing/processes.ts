// Test helpers for integration tests against real processes: every process and temp dir is cleaned up
// by the test that created it (cleanup registered next to creation), logs are parsed JSON lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestContextLike {
  after(fn: () => unknown): void;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** dist/apps/<app>/main.js: the bundle that ships (built by the test command before tests run). */
export function bundlePath(app: string): string {
  return join(repoRoot, 'dist', 'apps', app, 'main.js');
}

const cleanupStacks = new WeakMap<TestContextLike, (() => unknown)[]>();

/**
 * Registers a cleanup step on the test context, run last-registered-first (a process started in a temp
 * dir is killed before the dir is removed) and every step runs even when one fails; the failures are
 * thrown together at the end. node's own t.after runs hooks first-registered-first and stops at the first
 * that throws, which left processes running and the test file hanging until its timeout.
 */
export function onCleanup(t: TestContextLike, fn: () => unknown): void {
  let stack = cleanupStacks.get(t);
  if (!stack) {
    const steps: (() => unknown)[] = [];
    stack = steps;
    cleanupStacks.set(t, steps);
    t.after(async () => {
      const failures: unknown[] = [];
      while (steps.length > 0) {
        try {
          await steps.pop()!();
        } catch (err) {
          failures.push(err);
        }
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, `${failures.length} cleanup steps failed`);
    });
  }
  stack.push(fn);
}

export function createTempDir(t: TestContextLike, prefix = 'ledge-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
  return dir;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export interface SpawnOptions {
  args?: readonly string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Echo the child's output to stderr (debugging). */
  echo?: boolean;
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Every stdout line parsed as JSON (non-JSON lines are kept as { raw }). */
  readonly logs: Record<string, unknown>[];
  readonly stderr: string[];
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export function spawnProcess(t: TestContextLike, command: string, options: SpawnOptions = {}): Spawned {
  const child = spawn(command, [...(options.args ?? [])], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (options.echo) process.stderr.write(`[${command}] ${line}\n`);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
      for (const w of waiters) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (options.echo) process.stderr.write(`[${command}!] ${d.toString()}`);
  });
  // 'exit' may come before the last of stdout/stderr is read (Node's docs): the exit is reported once both
  // streams have ended too, so a test reading stderr after `exited` sees all of it. A grandchild that
  // inherited the pipes could keep them open: then 2 s after the exit at the latest.
  const ended = (stream: NodeJS.ReadableStream) => new Promise<void>((res) => (stream as unknown as { readableEnded: boolean }).readableEnded ? res() : stream.once('close', () => res()));
  const exited = new Promise<number | string>((res) =>
    child.once('exit', (code, sig) => {
      const outcome = code ?? sig ?? -1;
      const cap = setTimeout(() => res(outcome), 2000);
      void Promise.all([ended(child.stdout!), ended(child.stderr!)]).then(() => {
        clearTimeout(cap);
        res(outcome);
      });
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });
  onCleanup(t, async () => {
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    logs,
    stderr,
    exited,
    waitForLog(match, timeoutMs = 15_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const hit = logs.find(match);
          if (hit) {
            cleanup();
            res(hit);
          } else if (done) {
            cleanup();
            rej(new Error(`${command} exited before the expected log line; stderr: ${stderr.join('').slice(-2000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`timed out after ${timeoutMs} ms waiting for a log line of ${command}; last lines: ${JSON.stringify(logs.slice(-5))} stderr: ${stderr.join('').slice(-1000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a bundle (or any .js/.ts entry) with the current node. */
export function spawnNode(t: TestContextLike, script: string, options: SpawnOptions = {}): Spawned {
  const isTs = script.endsWith('.ts');
  return spawnProcess(t, process.execPath, { ...options, args: [...(isTs ? ['--import', 'tsx'] : []), script, ...(options.args ?? [])] });
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The body of a 2xx GET, or undefined while nothing answers (not listening yet, or any more) or on an error status. */
export async function fetchText(url: string, timeoutMs = 1000): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}
