// How an app is described once and then run: alone (its own main.js, one systemd unit) or hosted with
// the others in one Node process (`ledge run`, all-in-one mode for small gateways).
import type { Logger } from 'pino';
import { ConfigError, envName, loadConfig, type ConfigOf, type ConfigSpec, type LoadedConfig } from './config';
import { isLedgeError } from './errors';
import { runMain, type App } from './lifecycle';
import { HOST_LOCAL_BUS_ENV, LOCAL_BUS_KEYS } from './local-bus-config';
import { DEFAULT_LOG_MAX_BYTES, MIN_LOG_MAX_BYTES } from './log-file';
import { createLogger, LOG_LEVELS, redactObject } from './logger';

/** Env vars every app reads (below its own LEDGE_<APP>_… var): one setting for the whole gateway. */
export const SHARED_LOG_ENV = { logDir: 'LEDGE_LOG_DIR', logMaxBytes: 'LEDGE_LOG_MAX_BYTES' } as const;

export const commonConfig = {
  logLevel: { type: 'string', default: 'info', describe: 'log level', choices: LOG_LEVELS },
  logDir: {
    type: 'string',
    default: '' as string,
    describe: `where there is no journald: also write the JSON log lines to logDir/APP.log, rotated by size ('': stdout only; all apps: ${SHARED_LOG_ENV.logDir})`,
  },
  logMaxBytes: {
    type: 'number',
    default: DEFAULT_LOG_MAX_BYTES,
    describe: `size at which APP.log is rotated to APP.log.1 (3 kept; all apps: ${SHARED_LOG_ENV.logMaxBytes})`,
    min: MIN_LOG_MAX_BYTES,
    validate: (v: unknown) => (Number.isInteger(v) ? undefined : 'must be a whole number of bytes'),
  },
} as const satisfies ConfigSpec;

export type WithCommon<S extends ConfigSpec> = S & typeof commonConfig;

export interface AppEntry<S extends ConfigSpec = ConfigSpec> {
  /** App name: config file /etc/ledge/<name>.json, env LEDGE_<NAME>_*. */
  name: string;
  /** One line for `ledge run --help` and logs. */
  summary: string;
  spec: S;
  create(config: ConfigOf<WithCommon<S>>, deps: { logger: Logger }): App;
  /** Defaults when running from a source checkout (`npm start`): e.g. data dirs under `devDir`. */
  devDefaults?(devDir: string): Partial<Record<keyof S, unknown>>;
  /** Other names of config keys (alias → key), e.g. Kanto's `broker` for `localAddress`. */
  aliases?: Readonly<Record<string, keyof S & string>>;
}

export interface PrepareOptions {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  configDir?: string;
  /** Set to run with the entry's dev defaults. */
  devDir?: string;
  /**
   * What the host (`ledge run`) knows better than the embedded defaults: the broker's real listener
   * and the app's local credentials. Used only for keys the entry's spec has, below every file, env var
   * and flag the user set. By default read from the HOST_LOCAL_BUS_ENV env var (JSON).
   */
  hostDefaults?: Readonly<Record<string, unknown>>;
}

/** The host's local-bus defaults handed down in HOST_LOCAL_BUS_ENV; a malformed value is a config error. */
export function hostDefaultsFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> | undefined {
  const raw = env[HOST_LOCAL_BUS_ENV];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`env ${HOST_LOCAL_BUS_ENV}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`env ${HOST_LOCAL_BUS_ENV}: must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * The env with LEDGE_LOG_DIR / LEDGE_LOG_MAX_BYTES standing in for the app's own vars where those are
 * unset, so the shared setting sits at the env layer (over the file, under flags).
 */
function withSharedLogEnv(app: string, env: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string | undefined>> {
  const out = { ...env };
  for (const [key, shared] of Object.entries(SHARED_LOG_ENV)) {
    const own = envName(app, key);
    if (out[own] === undefined && out[shared] !== undefined) out[own] = out[shared];
  }
  return out;
}

export function prepareConfig<S extends ConfigSpec>(entry: AppEntry<S>, options: PrepareOptions = {}): LoadedConfig<WithCommon<S>> {
  const spec = { ...commonConfig, ...entry.spec } as WithCommon<S>;
  const env = withSharedLogEnv(entry.name, options.env ?? process.env);
  const host = options.hostDefaults ?? hostDefaultsFromEnv(env) ?? {};
  const defaults: Record<string, unknown> = {
    ...(options.devDir && entry.devDefaults ? (entry.devDefaults(options.devDir) as Record<string, unknown>) : {}),
    ...Object.fromEntries(Object.entries(host).filter(([k]) => k in entry.spec && (LOCAL_BUS_KEYS as readonly string[]).includes(k))),
  };
  return loadConfig({
    app: entry.name,
    spec,
    argv: options.argv ?? [],
    env,
    ...(options.configDir ? { configDir: options.configDir } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...(entry.aliases ? { aliases: entry.aliases } : {}),
  });
}

export interface AppLoggerSettings {
  readonly logLevel: string;
  readonly logDir: string;
  readonly logMaxBytes: number;
}

/**
 * The root logger of a process (an app's main, `ledge run`): stdout, and `<logDir>/<name>.log` when
 * logDir is set. A logDir that cannot be used (a file, no permission) is a ConfigError naming it.
 */
export function createAppLogger(name: string, settings: AppLoggerSettings): Logger {
  try {
    return createLogger({ name, level: settings.logLevel as never, ...(settings.logDir !== '' ? { file: { dir: settings.logDir, maxBytes: settings.logMaxBytes } } : {}) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = { EEXIST: 'not a directory', ENOTDIR: 'not a directory', EACCES: 'permission denied', EROFS: 'read-only file system' }[e.code ?? ''] ?? e.message;
    throw new ConfigError(`config key 'logDir': cannot write log files in ${settings.logDir} (${why})`, { key: 'logDir', dir: settings.logDir });
  }
}

/**
 * Writes the message of a bad config and exits 2; rethrows anything else. Besides a ConfigError, an
 * InvalidArgument error thrown while an app is created counts: create() sees nothing but the config, so a
 * value it refuses (an unreadable CA file, a malformed bus URL) is a configuration error too.
 */
export function exitOnConfigError(prefix: string, err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${prefix}: ${err.message}\n`);
    process.exit(2);
  }
  if (isLedgeError(err) && err.kind === 'InvalidArgument') {
    process.stderr.write(`${prefix}: invalid configuration: ${err.message} (${err.code})\n`);
    process.exit(2);
  }
  throw err;
}

export function installCrashHandlers(logger: Logger): void {
  const fatal = (what: string) => (err: unknown) => {
    logger.fatal({ err }, what);
    logger.flush?.();
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
}

/**
 * The whole of an app's main(): parse config (exit 2 with a message on bad config), build the root
 * logger, create the app and run it until a signal.
 */
export async function main<S extends ConfigSpec>(entry: AppEntry<S>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let loaded: LoadedConfig<WithCommon<S>>;
  try {
    loaded = prepareConfig(entry, { argv, ...(process.env['LEDGE_DEV_DIR'] ? { devDir: process.env['LEDGE_DEV_DIR'] } : {}) });
  } catch (err) {
    exitOnConfigError(`ledge-${entry.name}`, err);
  }
  if (loaded.help !== undefined) {
    process.stdout.write(`${entry.summary}\n\n${await loaded.help}\n`);
    process.exit(0);
  }
  if (loaded.version) {
    process.stdout.write(`${process.env['LEDGE_VERSION'] ?? 'dev'}\n`);
    process.exit(0);
  }
  const config = loaded.config;
  let logger: Logger;
  try {
    logger = createAppLogger(entry.name, config as AppLoggerSettings);
  } catch (err) {
    exitOnConfigError(`ledge-${entry.name}`, err);
  }
  logger.debug({ config: redactObject(config), sources: loaded.sources, configFile: loaded.configFile }, 'effective config');
  installCrashHandlers(logger);
  let app: App;
  try {
    app = entry.create(config, { logger }); // may check keys that depend on each other (ConfigError → exit 2)
  } catch (err) {
    exitOnConfigError(`ledge-${entry.name}`, err);
  }
  await runMain({ logger, app });
}
