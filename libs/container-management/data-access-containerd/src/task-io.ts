// Task stdio: per-container FIFOs under the runtime's state dir, drained into the json-file log. The
// shim keeps its end of the FIFOs open across our restarts, so attach() just reopens them (output
// written meanwhile waits in the pipe buffer, then the task blocks: like docker without live-restore
// buffering). The shim's open of the write end waits for a reader, so we open first, O_RDWR: that never
// blocks and never sees a spurious EOF; the pump is closed once the task's exit is known and drained.
import { spawnSync } from 'node:child_process';
import { constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { ContainerConfig } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { ctrdError, CtrdErrorCodes } from './errors';
import { JsonLogWriter } from './json-log';

export interface TaskIo {
  /** FIFO paths for Tasks.Create ('' = /dev/null). */
  stdout: string;
  stderr: string;
}

export interface LogPump {
  /** Close after `drainMs` (lets the shim flush what the process wrote just before exiting). */
  finish(drainMs?: number): void;
  close(): void;
}

export function containerDir(stateDir: string, id: string): string {
  return join(stateDir, 'containers', id);
}

export function logFile(stateDir: string, id: string, config: ContainerConfig): string {
  return join(config.log.rootDir ? join(config.log.rootDir, id) : containerDir(stateDir, id), 'json.log');
}

function mkfifo(path: string, id: string): void {
  if (existsSync(path)) return;
  const r = spawnSync('mkfifo', ['-m', '0600', path], { encoding: 'utf8' });
  if (r.status !== 0) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: `mkfifo ${path}: ${r.stderr.trim()}` });
}

export function prepareIo(stateDir: string, id: string, config: ContainerConfig): TaskIo {
  if (config.log.type === 'none') return { stdout: '', stderr: '' };
  const dir = containerDir(stateDir, id);
  mkdirSync(dir, { recursive: true });
  const io = { stdout: join(dir, 'stdout.fifo'), stderr: join(dir, 'stderr.fifo') };
  mkfifo(io.stdout, id);
  mkfifo(io.stderr, id);
  return io;
}

export function startLogPump(stateDir: string, id: string, config: ContainerConfig, logger: Logger): LogPump | undefined {
  if (config.log.type === 'none') return undefined;
  const file = logFile(stateDir, id, config);
  mkdirSync(join(file, '..'), { recursive: true });
  const writer = new JsonLogWriter({ file, maxSizeBytes: config.log.maxSizeBytes, maxFiles: config.log.maxFiles });
  const dir = containerDir(stateDir, id);
  const sockets: Socket[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const fd = openSync(join(dir, `${stream}.fifo`), constants.O_RDWR | constants.O_NONBLOCK);
    const sock = new Socket({ fd, readable: true, writable: false });
    sockets.push(sock);
    sock.on('data', (chunk: Buffer) => {
      try {
        writer.write(stream, chunk);
      } catch (err) {
        logger.warn({ err, id }, 'log write failed');
      }
    });
    sock.on('error', (err) => logger.warn({ err, id, stream }, 'log stream failed'));
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s.destroy();
    writer.close();
  };
  return {
    close,
    finish(drainMs = 200) {
      setTimeout(close, drainMs).unref();
    },
  };
}
