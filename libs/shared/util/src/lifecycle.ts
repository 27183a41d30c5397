// Lifecycle (STYLE.md "Lifecycle"): every long-lived component has start() and an idempotent close();
// closing runs in reverse order of creation. Only runMain touches `process` and signals.
import type { Logger } from 'pino';
import { createSystemdNotifier, type SystemdNotifier } from './systemd-notify';

export interface App {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * A one-shot app (bootstrapping) settles this when its work is over: resolved → closed, exit 0;
   * rejected → logged, closed, exit 1. Daemons leave it out and run until a signal.
   */
  readonly finished?: Promise<void>;
}

/** Wraps an async function so that it runs once; later calls get the first call's promise. */
export function onlyOnce<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export interface Closer {
  /** Registers a close step; steps run in reverse order of registration. */
  add(name: string, fn: () => Promise<void> | void): void;
  /** Runs every step once (later calls wait for the same run); a failing step is logged, not fatal. */
  close(): Promise<void>;
}

export function createCloser(logger?: Logger): Closer {
  const steps: { name: string; fn: () => Promise<void> | void }[] = [];
  const close = onlyOnce(async () => {
    for (const step of steps.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        logger?.warn({ err, step: step.name }, 'close step failed');
      }
    }
  });
  return { add: (name, fn) => void steps.push({ name, fn }), close };
}

export interface SignalTarget {
  on(signal: 'SIGTERM' | 'SIGINT', fn: () => void): unknown;
  exit(code: number): void;
}

export interface RunMainOptions {
  logger: Logger;
  app: App;
  /** After the first signal, force exit 1 when close has not finished in this time. */
  deadlineMs?: number;
  proc?: SignalTarget;
  /** systemd readiness and watchdog; default: from the environment (none outside a Type=notify unit). */
  notifier?: SystemdNotifier | undefined;
}

/** Starts the app, closes it on SIGTERM/SIGINT; a second signal or the deadline forces exit 1. */
export async function runMain(options: RunMainOptions): Promise<void> {
  const { logger, app } = options;
  const proc = options.proc ?? process;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const notifier = 'notifier' in options ? options.notifier : createSystemdNotifier({ env: process.env, pid: process.pid, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      proc.exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    notifier?.stopping();
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed, exiting');
      proc.exit(1);
    }, deadlineMs);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        logger.info('stopped');
        logger.flush?.();
        proc.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        proc.exit(1);
      },
    );
  };
  proc.on('SIGTERM', () => stop('SIGTERM'));
  proc.on('SIGINT', () => stop('SIGINT'));
  notifier?.watch();
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    await app.close().catch(() => undefined);
    proc.exit(1);
    return;
  }
  if (!stopping) {
    notifier?.ready();
    logger.info('started');
  }
  app.finished?.then(
    () => {
      if (stopping) return;
      logger.info('work done');
      stop('done');
    },
    (err: unknown) => {
      if (stopping) return;
      logger.error({ err }, 'gave up');
      stopping = true;
      notifier?.stopping();
      void app.close().finally(() => {
        logger.flush?.();
        proc.exit(1);
      });
    },
  );
}
