export {
  LedgeError,
  InvalidArgumentError,
  NotFoundError,
  AlreadyExistsError,
  FailedPreconditionError,
  UnavailableError,
  InternalError,
  isLedgeError,
  formatMessage,
  UtilErrorCodes,
  defineErrors,
} from './errors';
export type { ErrorDef, ErrorKind, ErrorTable, KindError, LedgeErrorOptions, TemplatePlaceholders, TemplateValues } from './errors';
export { createLogger, redactObject, REDACTED_KEYS, LOG_LEVELS } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { formatLine } from './pretty-stream';
export { defineConfig, loadConfig, ConfigError, envName, envPrefix, configTable } from './config';
export type { ConfigSpec, ConfigOf, FieldSpec, FieldType, JsonShape, LoadConfigOptions, LoadedConfig, ConfigSource } from './config';
export { onlyOnce, createCloser, runMain } from './lifecycle';
export type { App, Closer, RunMainOptions, SignalTarget } from './lifecycle';
export { main, prepareConfig, commonConfig, exitOnConfigError, installCrashHandlers, hostDefaultsFromEnv, createAppLogger, SHARED_LOG_ENV } from './app-entry';
export type { AppLoggerSettings } from './app-entry';
export { createLogFileStream, logFilePaths, LOG_FILE_KEEP, DEFAULT_LOG_MAX_BYTES, MIN_LOG_MAX_BYTES } from './log-file';
export type { LogFileOptions, LogFileStream } from './log-file';
export {
  localBusSpec,
  localAddressProblem,
  localBusEnvName,
  kantoLocalBusAliases,
  LOCAL_BUS_KEYS,
  LOCAL_BUS_FILE,
  LOCAL_BUS_SCHEMES,
  HOST_LOCAL_BUS_ENV,
  LOCAL_BUS_SECRETS_DIR,
  DEFAULT_DEV_DIR,
  devSecretsDir,
  localPasswordFileOf,
} from './local-bus-config';
export type { LocalBusSpec, LocalBusSettings, LocalBusKey } from './local-bus-config';
export type { AppEntry, PrepareOptions, WithCommon } from './app-entry';
export { hostApps } from './host';
export type { HostOptions } from './host';
export { createBackoff, defaultBackoffOptions } from './backoff';
export { withDefaults } from './defaults';
export { lazy, lazyResource } from './lazy';
export { crc32 } from './crc32';
export type { LazyResource } from './lazy';
export type { Backoff, BackoffOptions } from './backoff';
export { superviseProcesses } from './supervise';
export type { SupervisedProcess, SuperviseOptions } from './supervise';
export { MAX_TIMER_MS } from './timers';
export { systemClock, systemScheduler } from './clock';
export type { Clock, Scheduler, Timer } from './clock';
export { parseGoDuration } from './duration';
export { syncDirectory, syncFile, writeFileDurably } from './durable-file';
export { createSystemdNotifier, systemdNotifySend, SYSTEMD_NOTIFY_ENV } from './systemd-notify';
export type { SystemdNotifier, SystemdNotifierOptions } from './systemd-notify';
export { TypedEmitter } from './typed-emitter';
export type { EventMap, EventSource, Listener } from './typed-emitter';
export { tarGz } from './tar';
export type { TarFile } from './tar';
