// Errors of the software-update engine (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const SoftwareUpdateErrors = defineErrors({
  /** The operation queue already holds queueSize operations; the request is refused with 500 and may be sent again later. */
  QUEUE_FULL: { code: 'LEDGE_SU_QUEUE_FULL', kind: 'FailedPrecondition', message: 'update queue is full ({size} operations waiting)' },
  /** An accepted operation could not be written to storageLocation (disk full, permissions); it is refused, not run. */
  STORE_FAILED: { code: 'LEDGE_SU_STORE_FAILED', kind: 'Internal', message: 'cannot store the operation: {reason}' },
  /** An archive artifact is damaged, of an unknown format, or has an entry that would land outside the module directory (`..`, absolute path, link leaving it). */
  ARCHIVE_INVALID: { code: 'LEDGE_SU_ARCHIVE_INVALID', kind: 'InvalidArgument', message: 'archive {file}: {problem}' },
  /** The install command could not be started, exited non-zero, was killed, or ran longer than installTimeout. */
  SCRIPT_FAILED: { code: 'LEDGE_SU_SCRIPT_FAILED', kind: 'FailedPrecondition', message: 'install command {problem}' },
  /** A FILE artifact names a path outside installDirs (mode strict/scoped), or FILE links are not enabled. */
  FILE_REFUSED: { code: 'LEDGE_SU_FILE_REFUSED', kind: 'InvalidArgument', message: 'FILE artifact {path} refused: {why}' },
  /** The service is shutting down; the operation stays stored and continues after the next start. */
  SHUTTING_DOWN: { code: 'LEDGE_SU_SHUTTING_DOWN', kind: 'FailedPrecondition', message: 'software update is shutting down' },
});

export const SoftwareUpdateErrorCodes = SoftwareUpdateErrors.codes;
export type SoftwareUpdateErrorCode = (typeof SoftwareUpdateErrorCodes)[keyof typeof SoftwareUpdateErrorCodes];

export function queueFullError(size: number): LedgeError {
  return SoftwareUpdateErrors.create('QUEUE_FULL', { size }, { details: { size } });
}
export function storeFailedError(cause: unknown): LedgeError {
  return SoftwareUpdateErrors.create('STORE_FAILED', { reason: (cause as Error)?.message ?? String(cause) }, { cause });
}
export function archiveInvalidError(file: string, problem: string): LedgeError {
  return SoftwareUpdateErrors.create('ARCHIVE_INVALID', { file, problem }, { details: { file, problem } });
}
export function scriptFailedError(problem: string, details: Record<string, unknown> = {}): LedgeError {
  return SoftwareUpdateErrors.create('SCRIPT_FAILED', { problem }, { details });
}
export function fileRefusedError(path: string, why: string): LedgeError {
  return SoftwareUpdateErrors.create('FILE_REFUSED', { path, why }, { details: { path } });
}
export function shuttingDownError(): LedgeError {
  return SoftwareUpdateErrors.create('SHUTTING_DOWN', {});
}
