// Errors of the software-update engine (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { FailedPreconditionError, InternalError, InvalidArgumentError, type LedgeError } from '@ledge/shared/util';

export const SoftwareUpdateErrorCodes = Object.freeze({
  /** The operation queue already holds queueSize operations; the request is refused with 500 and may be sent again later. */
  QUEUE_FULL: 'LEDGE_SU_QUEUE_FULL',
  /** An accepted operation could not be written to storageLocation (disk full, permissions); it is refused, not run. */
  STORE_FAILED: 'LEDGE_SU_STORE_FAILED',
  /** An archive artifact is damaged, of an unknown format, or has an entry that would land outside the module directory (`..`, absolute path, link leaving it). */
  ARCHIVE_INVALID: 'LEDGE_SU_ARCHIVE_INVALID',
  /** The install command could not be started, exited non-zero, was killed, or ran longer than installTimeout. */
  SCRIPT_FAILED: 'LEDGE_SU_SCRIPT_FAILED',
  /** A FILE artifact names a path outside installDirs (mode strict/scoped), or FILE links are not enabled. */
  FILE_REFUSED: 'LEDGE_SU_FILE_REFUSED',
  /** The service is shutting down; the operation stays stored and continues after the next start. */
  SHUTTING_DOWN: 'LEDGE_SU_SHUTTING_DOWN',
} as const);
export type SoftwareUpdateErrorCode = (typeof SoftwareUpdateErrorCodes)[keyof typeof SoftwareUpdateErrorCodes];

export function queueFullError(size: number): LedgeError {
  return new FailedPreconditionError(SoftwareUpdateErrorCodes.QUEUE_FULL, `update queue is full (${size} operations waiting)`, { details: { size } });
}
export function storeFailedError(cause: unknown): LedgeError {
  return new InternalError(SoftwareUpdateErrorCodes.STORE_FAILED, `cannot store the operation: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
export function archiveInvalidError(file: string, problem: string): LedgeError {
  return new InvalidArgumentError(SoftwareUpdateErrorCodes.ARCHIVE_INVALID, `archive ${file}: ${problem}`, { details: { file, problem } });
}
export function scriptFailedError(problem: string, details: Record<string, unknown> = {}): LedgeError {
  return new FailedPreconditionError(SoftwareUpdateErrorCodes.SCRIPT_FAILED, `install command ${problem}`, { details });
}
export function fileRefusedError(path: string, why: string): LedgeError {
  return new InvalidArgumentError(SoftwareUpdateErrorCodes.FILE_REFUSED, `FILE artifact ${path} refused: ${why}`, { details: { path } });
}
export function shuttingDownError(): LedgeError {
  return new FailedPreconditionError(SoftwareUpdateErrorCodes.SHUTTING_DOWN, 'software update is shutting down');
}
