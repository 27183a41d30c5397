// Separate-processes mode of `ledge run --processes`: one child per app bundle, output relayed
// line by line, a crashed child restarted with backoff, SIGTERM forwarded on close.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { createBackoff } from './backoff';
import { onlyOnce, type App } from './lifecycle';
import { SYSTEMD_NOTIFY_ENV } from './systemd-notify';

export interface SupervisedProcess {
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
}

export interface SuperviseOptions {
  logger: Logger;
  /** Receives every stdout line of every child (already JSON from pino). */
  output: (name: string, line: string) => void;
  stopTimeoutMs?: number;
}

export function superviseProcesses(procs: readonly SupervisedProcess[], options: SuperviseOptions): App {
  const { logger } = options;
  const running = new Map<string, ChildProcess>();
  let closing = false;

  const launch = (p: SupervisedProcess, backoff = createBackoff({ initialMs: 1000, maxMs: 30_000 }), restarts = 0) => {
    // LEDGE_RESTARTS: the app reports it in its health (edge/health/<app>)
    // without the unit's notify socket: a child's READY or WATCHDOG would speak for `ledge run` itself
    const env: Record<string, string | undefined> = { ...process.env, ...p.env, LEDGE_RESTARTS: String(restarts) };
    for (const k of SYSTEMD_NOTIFY_ENV) delete env[k];
    const child = spawn(p.command, [...p.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.set(p.name, child);
    const startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream?.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          options.output(p.name, buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    }
    child.once('exit', (code, signal) => {
      running.delete(p.name);
      if (closing) return;
      if (Date.now() - startedAt > 60_000) backoff.reset();
      const delayMs = backoff.next();
      logger.error({ app: p.name, code, signal, delayMs }, 'app exited, restarting');
      setTimeout(() => !closing && launch(p, backoff, restarts + 1), delayMs).unref();
    });
  };

  return {
    async start() {
      for (const p of procs) launch(p);
    },
    close: onlyOnce(async () => {
      closing = true;
      // In reverse start order, one at a time, as hostApps closes hosted apps: the broker (started first)
      // stops last, so its clients can still say goodbye on the bus.
      // One budget for all: a child that hangs is SIGKILLed when it runs out, the rest get no less than 100 ms.
      const deadline = Date.now() + (options.stopTimeoutMs ?? 8000);
      const stop = (c: ChildProcess) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          const t = setTimeout(() => c.kill('SIGKILL'), Math.max(100, deadline - Date.now()));
          c.once('exit', () => {
            clearTimeout(t);
            res();
          });
          c.kill('SIGTERM');
        });
      for (const p of [...procs].reverse()) {
        const c = running.get(p.name);
        if (c !== undefined) await stop(c);
      }
    }),
  };
}
