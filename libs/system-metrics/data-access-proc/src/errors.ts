// Errors of the /proc reader (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// /proc content is treated as untrusted input: anything that does not parse is refused with PROC_PARSE
// (never a NaN metric); fs errors are translated here, once, with the errno in `details.errno`.
import { InvalidArgumentError, UnavailableError, formatMessage, type LedgeError } from '@ledge/shared/util';

export const ProcErrorCodes = Object.freeze({
  /** A /proc file does not have the expected format (missing field, not a number, larger than 1 MiB). */
  PROC_PARSE: 'LEDGE_SYSTEM_METRICS_PROC_PARSE',
  /** A /proc file cannot be read (no procfs mounted, not Linux, permission denied, I/O error). */
  PROC_UNAVAILABLE: 'LEDGE_SYSTEM_METRICS_PROC_UNAVAILABLE',
} as const);
export type ProcErrorCode = (typeof ProcErrorCodes)[keyof typeof ProcErrorCodes];

const messages: Readonly<Record<ProcErrorCode, string>> = Object.freeze({
  LEDGE_SYSTEM_METRICS_PROC_PARSE: 'cannot parse {file}: {problem}',
  LEDGE_SYSTEM_METRICS_PROC_UNAVAILABLE: 'cannot read {file}: {reason}',
});

/** The errno name of a Node fs error (`ENOENT`), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function procParseError(file: string, problem: string): LedgeError {
  return new InvalidArgumentError(ProcErrorCodes.PROC_PARSE, formatMessage(messages[ProcErrorCodes.PROC_PARSE], { file, problem }), {
    details: { file, problem },
  });
}

export function procUnavailableError(file: string, cause: unknown): LedgeError {
  const errno = errnoOf(cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UnavailableError(ProcErrorCodes.PROC_UNAVAILABLE, formatMessage(messages[ProcErrorCodes.PROC_UNAVAILABLE], { file, reason }), {
    cause,
    details: { file, ...(errno === undefined ? {} : { errno }) },
  });
}
