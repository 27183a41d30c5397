// Errors of the file-upload feature (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { FailedPreconditionError, type LedgeError } from '@ledge/shared/util';

export const FileUploadFeatureErrorCodes = Object.freeze({
  /** A selected file vanished or became unreadable between trigger and start (or is not a regular file). */
  FILE_UNREADABLE: 'LEDGE_FU_FILE_UNREADABLE',
  /** The upload was cancelled by a `cancel` operation or by shutdown. */
  CANCELED: 'LEDGE_FU_CANCELED',
} as const);

export function fileUnreadableError(path: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(FileUploadFeatureErrorCodes.FILE_UNREADABLE, `cannot read ${path}: ${(cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause)}`, { cause, details: { path } });
}
export function canceledError(statusCode: string, message: string): LedgeError {
  return new FailedPreconditionError(FileUploadFeatureErrorCodes.CANCELED, message || 'upload canceled', { details: { statusCode } });
}
