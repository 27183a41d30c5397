// pino logging (STYLE.md "Logging"): JSON lines on stdout for journald; a compact human format only
// when stdout is a terminal. Secrets are redacted wherever they appear in the usual places.
import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';
import { createPrettyStream } from './pretty-stream';

export type { Logger } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Keys that are always censored, at any of the depths configs and payloads put them. */
export const REDACTED_KEYS: readonly string[] = [
  'password',
  'localPassword',
  'key',
  'localKey',
  'privateKey',
  'secret',
  'sharedAccessKey',
  'sasToken',
  'connectionString',
  'token',
  'authorization',
  'passwordBase64',
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  /** Name of the app or component, the `name` field of every line. */
  name: string;
  level?: LevelWithSilent;
  /** 'auto' (default): pretty when the destination is a TTY. */
  pretty?: boolean | 'auto';
  /** Where lines go; default stdout. Tests pass a stream to read lines back. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? process.stdout;
  const isTty = 'isTTY' in dest && (dest as NodeJS.WriteStream).isTTY === true;
  const pretty = options.pretty === 'auto' || options.pretty === undefined ? isTty : options.pretty;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pretty ? createPrettyStream(dest as NodeJS.WritableStream) : (dest as DestinationStream),
  );
}

/** Redacts the secret keys of a config object for the "effective config" debug line. */
export function redactObject<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactObject(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = REDACTED_KEYS.includes(k) && v !== '' && v !== undefined ? '[redacted]' : redactObject(v);
  }
  return out as T;
}
