// Errors of the file-upload feature (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const FileUploadFeatureErrors = defineErrors({
  /** A selected file vanished or became unreadable between trigger and start (or is not a regular file). */
  FILE_UNREADABLE: { code: 'LEDGE_FU_FILE_UNREADABLE', kind: 'FailedPrecondition', message: 'cannot read {path}: {reason}' },
  /** The upload was cancelled by a `cancel` operation or by shutdown. */
  CANCELED: { code: 'LEDGE_FU_CANCELED', kind: 'FailedPrecondition', message: '{message}' },
});

export const FileUploadFeatureErrorCodes = FileUploadFeatureErrors.codes;

export function fileUnreadableError(path: string, cause: unknown): LedgeError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
  return FileUploadFeatureErrors.create('FILE_UNREADABLE', { path, reason }, { cause, details: { path } });
}
export function canceledError(statusCode: string, message: string): LedgeError {
  return FileUploadFeatureErrors.create('CANCELED', { message: message || 'upload canceled' }, { details: { statusCode } });
}
