// pino logging (STYLE.md "Logging"): JSON lines on stdout for journald; a compact human format only
// when stdout is a terminal. Secrets are redacted wherever they appear in the usual places. Where there is
// no journald, the same JSON lines also go to a size-rotated file (log-file.ts; issue 21).
import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';
import { createLogFileStream, type LogFileStream } from './log-file';
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
  /**
   * Also write the JSON lines (never the pretty format) to `<dir>/<name>.log`, rotated at `maxBytes`.
   * Opening it throws the fs error (ENOTDIR, EACCES) when the directory cannot be used.
   */
  file?: { dir: string; maxBytes?: number };
}

export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? process.stdout;
  const isTty = 'isTTY' in dest && (dest as NodeJS.WriteStream).isTTY === true;
  const pretty = options.pretty === 'auto' || options.pretty === undefined ? isTty : options.pretty;
  const main = pretty ? createPrettyStream(dest as NodeJS.WritableStream) : (dest as DestinationStream);
  const file = options.file ? openLogFile(options.name, options.file) : undefined;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // 'trace' per stream: the logger's (and its children's) own level is the only filter
    file === undefined ? main : pino.multistream([{ stream: main, level: 'trace' }, { stream: file, level: 'trace' }]),
  );
}

function openLogFile(name: string, file: { dir: string; maxBytes?: number }): LogFileStream {
  return createLogFileStream({
    dir: file.dir,
    name,
    ...(file.maxBytes !== undefined ? { maxBytes: file.maxBytes } : {}),
    // on stderr: the logger is what failed; journald (or the terminal) still sees it
    onError: (err) => process.stderr.write(`${name}: cannot write the log file in ${file.dir}: ${err.message}\n`),
  });
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
