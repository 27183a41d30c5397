// Lifecycle (STYLE.md "Lifecycle"): every long-lived component has start() and an idempotent close();
// closing runs in reverse order of creation. Only runMain touches `process` and signals.
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type ConfigOf, type ConfigSpec } from './config';
import { createLogger, redactObject } from './logger';
import { LOG_LEVELS } from './logger';

export interface App {
  start(): Promise<void>;
  close(): Promise<void>;
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
}

/** Starts the app, closes it on SIGTERM/SIGINT; a second signal or the deadline forces exit 1. */
export async function runMain(options: RunMainOptions): Promise<void> {
  const { logger, app } = options;
  const proc = options.proc ?? process;
  const deadlineMs = options.deadlineMs ?? 10_000;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      proc.exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    await app.close().catch(() => undefined);
    proc.exit(1);
  }
}

export const commonConfig = {
  logLevel: { type: 'string', default: 'info', describe: 'log level', choices: LOG_LEVELS },
} as const satisfies ConfigSpec;

export interface AppEntry<S extends ConfigSpec> {
  /** App name: config file /etc/ledge/<name>.json, env LEDGE_<NAME>_*. */
  name: string;
  spec: S;
  create(config: ConfigOf<S>, deps: { logger: Logger }): App;
}

/**
 * The whole of an app's main(): parse config (exit 2 with a message on bad config), build the root
 * logger, create the app and run it until a signal.
 */
export async function main<S extends ConfigSpec>(entry: AppEntry<S>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const spec = { ...commonConfig, ...entry.spec } as S & typeof commonConfig;
  let loaded;
  try {
    loaded = loadConfig({ app: entry.name, spec, argv });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ledge-${entry.name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (loaded.help !== undefined) {
    process.stdout.write(`${await loaded.help}\n`);
    process.exit(0);
  }
  if (loaded.version) {
    process.stdout.write(`${process.env['LEDGE_VERSION'] ?? 'dev'}\n`);
    process.exit(0);
  }
  const config = loaded.config;
  const logger = createLogger({ name: entry.name, level: config.logLevel as never });
  logger.debug({ config: redactObject(config), sources: loaded.sources, configFile: loaded.configFile }, 'effective config');
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    logger.flush?.();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    logger.flush?.();
    process.exit(1);
  });
  await runMain({ logger, app: entry.create(config, { logger }) });
}
