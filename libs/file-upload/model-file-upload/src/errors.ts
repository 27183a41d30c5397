// Errors of the file-upload model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const FileUploadErrors = defineErrors({
  /** An AutoUploadable operation's value is malformed (not an object, wrong field type, bad time, `to` before `from`); answered with 400 messages:parameter.invalid. */
  PARAMETER_INVALID: { code: 'LEDGE_FU_PARAMETER_INVALID', kind: 'InvalidArgument', message: '{message}' },
  /** `start` or `cancel` names a correlation ID this device never offered or already finished; answered with 404. */
  UPLOAD_NOT_FOUND: { code: 'LEDGE_FU_UPLOAD_NOT_FOUND', kind: 'NotFound', message: "no upload with correlation ID '{correlationId}'" },
  /** A requested path or glob lies outside the configured `files` glob (mode strict/scoped), contains `..`, or resolves (symlink) outside it. */
  PATH_REFUSED: { code: 'LEDGE_FU_PATH_REFUSED', kind: 'InvalidArgument', message: "path '{path}' refused: {why}" },
  /** `storage.provider` names a provider this device does not support (supported: generic, aws, azure). */
  PROVIDER_UNKNOWN: { code: 'LEDGE_FU_PROVIDER_UNKNOWN', kind: 'InvalidArgument', message: "storage provider '{provider}' is not supported (supported: {supported})" },
  /** A provider option is missing or invalid (e.g. no `https.url`, a non-http URL, no `aws.s3.bucket`). */
  PROVIDER_OPTION_INVALID: { code: 'LEDGE_FU_PROVIDER_OPTION_INVALID', kind: 'InvalidArgument', message: "option '{option}' {why}" },
  /** `trigger` refused: `singleUpload` is on and an upload is in progress (send `"force":"true"` to override). */
  UPLOAD_IN_PROGRESS: { code: 'LEDGE_FU_UPLOAD_IN_PROGRESS', kind: 'FailedPrecondition', message: 'an upload is in progress and singleUpload is set (use option force=true)' },
  /** `trigger` selected no files. */
  NO_FILES: { code: 'LEDGE_FU_NO_FILES', kind: 'FailedPrecondition', message: "no files match '{glob}'" },
});

export const FileUploadErrorCodes = FileUploadErrors.codes;
export type FileUploadErrorCode = (typeof FileUploadErrorCodes)[keyof typeof FileUploadErrorCodes];

export function parameterInvalidError(message: string, details?: Record<string, unknown>): LedgeError {
  return FileUploadErrors.create('PARAMETER_INVALID', { message }, { details });
}
export function uploadNotFoundError(correlationId: string): LedgeError {
  return FileUploadErrors.create('UPLOAD_NOT_FOUND', { correlationId }, { details: { correlationId } });
}
export function pathRefusedError(path: string, why: string): LedgeError {
  return FileUploadErrors.create('PATH_REFUSED', { path, why }, { details: { path } });
}
export function providerUnknownError(provider: string, supported: readonly string[]): LedgeError {
  return FileUploadErrors.create('PROVIDER_UNKNOWN', { provider, supported: supported.join(', ') }, { details: { provider } });
}
export function providerOptionError(option: string, why: string): LedgeError {
  return FileUploadErrors.create('PROVIDER_OPTION_INVALID', { option, why }, { details: { option } });
}
export function uploadInProgressError(): LedgeError {
  return FileUploadErrors.create('UPLOAD_IN_PROGRESS', {});
}
export function noFilesError(glob: string): LedgeError {
  return FileUploadErrors.create('NO_FILES', { glob }, { details: { glob } });
}
