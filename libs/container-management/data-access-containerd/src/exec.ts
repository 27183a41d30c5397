// A process run inside a running task (issue 18: exec health probes), after containerd's own client
// (`ctr task exec`): Tasks.Exec with a process spec derived from the container's, Wait registered before
// Start, Kill on timeout, DeleteProcess in `finally`. Its stdout and stderr go to one file through the
// shim's `file://` stdio (the shim copies both into it, like a FIFO reader would, and DeleteProcess
// returns once that copy is done), so nothing of ours has to drain a pipe; the first 4 KiB are kept.
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXEC_OUTPUT_LIMIT, type ExecOptions, type ExecResult } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import type { ContainerdClient } from './client';
import type { Container__Output } from './generated/types/containerd/services/containers/v1/Container';
import { ctrdError, CtrdErrorCodes, isNotFound } from './errors';
import { containerDir } from './task-io';

const PROCESS_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export interface ExecDeps {
  client: ContainerdClient;
  stateDir: string;
  logger: Logger;
}

/** The container's process spec with another argv: same user, env, cwd, capabilities, rlimits; no TTY. */
export function execProcessSpec(container: Container__Output, argv: readonly string[]): Record<string, unknown> {
  const spec = JSON.parse(Buffer.from(container.spec?.value ?? '{}').toString()) as { process?: Record<string, unknown> };
  return { ...(spec.process ?? {}), args: [...argv], terminal: false };
}

/** The first `limit` bytes of a file ('' when it is not there: the process wrote nothing). */
function readHead(file: string, limit: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const buf = Buffer.alloc(limit);
    const n = readSync(fd, buf, 0, limit, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Runs `argv` in the running task of container `id` (the caller checked that it runs). */
export async function execInTask(deps: ExecDeps, container: Container__Output, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const { client, logger } = deps;
  const id = container.id;
  if (argv.length === 0) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: 'exec needs a command' });
  // containerd identifiers: at most 76 characters of [A-Za-z0-9_.-].
  const execId = `exec-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const dir = containerDir(deps.stateDir, id);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${execId}.out`);
  const spec = { type_url: PROCESS_TYPE, value: Buffer.from(JSON.stringify(execProcessSpec(container, argv))) };
  const ref = { container_id: id, exec_id: execId };
  let created = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.unary('tasks', 'Exec', { ...ref, stdin: '', stdout: `file://${out}`, stderr: `file://${out}`, terminal: false, spec });
    created = true;
    // Wait before Start: a process that ends at once is still seen.
    const wait = client.unary('tasks', 'Wait', ref);
    // Handled here too: when Start fails, nobody awaits it and DeleteProcess ends it with an error.
    wait.catch(() => undefined);
    await client.unary('tasks', 'Start', ref);
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, options.timeoutMs))));
    const first = await Promise.race([wait, timeout]);
    if (first === 'timeout') {
      await client.unary('tasks', 'Kill', { ...ref, signal: 9, all: false }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      await wait.catch(() => undefined);
      throw ctrdError(CtrdErrorCodes.EXEC_TIMEOUT, { id, timeoutMs: options.timeoutMs, command: argv[0] });
    }
    await deleteProcess(deps, ref);
    created = false;
    return { exitCode: first.exit_status, output: readHead(out, EXEC_OUTPUT_LIMIT) };
  } finally {
    clearTimeout(timer);
    if (created) await deleteProcess(deps, ref).catch((err: unknown) => logger.warn({ err, id, execId }, 'exec process not deleted'));
    rmSync(out, { force: true });
  }
}

async function deleteProcess(deps: ExecDeps, ref: { container_id: string; exec_id: string }): Promise<void> {
  await deps.client.unary('tasks', 'DeleteProcess', ref).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}
