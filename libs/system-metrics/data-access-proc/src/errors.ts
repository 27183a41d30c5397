// Errors of the /proc reader (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// /proc content is treated as untrusted input: anything that does not parse is refused with PROC_PARSE
// (never a NaN metric); fs errors are translated here, once, with the errno in `details.errno`.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const ProcErrors = defineErrors({
  /** A /proc file does not have the expected format (missing field, not a number, larger than 1 MiB). */
  PROC_PARSE: { code: 'LEDGE_SYSTEM_METRICS_PROC_PARSE', kind: 'InvalidArgument', message: 'cannot parse {file}: {problem}' },
  /** A /proc file cannot be read (no procfs mounted, not Linux, permission denied, I/O error). */
  PROC_UNAVAILABLE: { code: 'LEDGE_SYSTEM_METRICS_PROC_UNAVAILABLE', kind: 'Unavailable', message: 'cannot read {file}: {reason}' },
});

export const ProcErrorCodes = ProcErrors.codes;
export type ProcErrorCode = (typeof ProcErrorCodes)[keyof typeof ProcErrorCodes];

/** The errno name of a Node fs error (`ENOENT`), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function procParseError(file: string, problem: string): LedgeError {
  return ProcErrors.create('PROC_PARSE', { file, problem }, { details: { file, problem } });
}

export function procUnavailableError(file: string, cause: unknown): LedgeError {
  const errno = errnoOf(cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  return ProcErrors.create('PROC_UNAVAILABLE', { file, reason }, { cause, details: { file, ...(errno === undefined ? {} : { errno }) } });
}
