// The NDJSON streams of the local API as the CLI shows them: pull progress of `create`, log lines of
// `logs` and `start --a` (stdout lines to stdout, stderr lines to stderr), and their last {exit} / {error}.
import { ApiCallError, apiErrorOf, type CmClient, type CmResponse } from './client';
import type { CmIo } from './command';
import { formatProgress, type ApiContainer } from './format';

/** The last line of an attach or `logs -f` stream (local-api-streams.ts). */
export interface ExitLine {
  status: string;
  exitCode: number;
  finishedAt?: string;
  oomKilled?: boolean;
}

interface StreamLine {
  stream?: string;
  log?: string;
  exit?: ExitLine;
  error?: { code: string; message: string };
}

function parseLine(res: CmResponse, l: string): StreamLine {
  try {
    return JSON.parse(l) as StreamLine;
  } catch {
    throw new ApiCallError(res.status, 'BAD_RESPONSE', `the daemon sent a line that is not JSON: ${l.slice(0, 200)}`);
  }
}

/** Prints the log lines of a stream; returns its {exit} line, throws on {error}. */
export async function printLogStream(res: CmResponse, io: CmIo): Promise<ExitLine | undefined> {
  if (res.status >= 400) throw apiErrorOf(res.status, await res.json());
  for await (const l of res.lines()) {
    if (l.trim() === '') continue;
    const line = parseLine(res, l);
    if (line.error) throw new ApiCallError(res.status, line.error.code, line.error.message);
    if (line.exit) return line.exit;
    const text = line.log ?? '';
    (line.stream === 'stderr' ? io.stderr : io.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return undefined;
}

/** A container's exit code as a process exit code (0-255; anything else is 1). */
export function processExitCode(exitCode: number): number {
  return Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255 ? exitCode : 1;
}

/**
 * `start --a`: POST /start?attach=1 starts the container and streams its new output until it exits.
 * The CLI then exits with the container's exit code. Ctrl-C only detaches: the container keeps running.
 */
export async function startAttached(c: CmClient, ref: string, io: CmIo): Promise<void> {
  const res = await c.call('POST', `/v1/containers/${encodeURIComponent(ref)}/start?attach=1`, undefined, { idleTimeout: false });
  const exit = await printLogStream(res, io);
  if (exit === undefined) throw new ApiCallError(res.status, 'BAD_RESPONSE', 'the daemon ended the attach stream before the container exited');
  if (exit.oomKilled) io.stderr.write(`ledge cm start: the container was killed for lack of memory (OOM)\n`);
  io.setExitCode(processExitCode(exit.exitCode));
}

/** POST /v1/containers: NDJSON progress lines, then {container} or {error}. Prints the new ID. */
export async function createWithProgress(c: CmClient, descriptor: Record<string, unknown>, start: boolean, io: CmIo): Promise<void> {
  const named = typeof descriptor['container_name'] === 'string' && descriptor['container_name'] !== '';
  const res = await c.call('POST', '/v1/containers', { descriptor, start, named });
  if (res.status >= 400) throw apiErrorOf(res.status, await res.json());
  const tty = io.stderr.isTTY === true;
  let bar = false;
  for await (const l of res.lines()) {
    if (l.trim() === '') continue;
    const msg = JSON.parse(l) as { progress?: { ref: string; totalBytes: number; doneBytes: number }; container?: ApiContainer; error?: { code: string; message: string } };
    if (msg.progress) {
      io.stderr.write(tty ? `\r${formatProgress(msg.progress)}` : `${formatProgress(msg.progress, 20)}\n`);
      bar = tty;
    } else {
      if (bar) io.stderr.write('\n');
      bar = false;
      if (msg.error) throw new ApiCallError(res.status, msg.error.code, msg.error.message);
      if (msg.container) {
        io.stdout.write(`${msg.container.id}\n`);
        return;
      }
    }
  }
  throw new ApiCallError(res.status, 'BAD_RESPONSE', 'the daemon ended the create response without a container');
}
