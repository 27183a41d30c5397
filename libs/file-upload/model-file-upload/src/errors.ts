// Errors of the file-upload model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, type LedgeError } from '@ledge/shared/util';

export const FileUploadErrorCodes = Object.freeze({
  /** An AutoUploadable operation's value is malformed (not an object, wrong field type, bad time, `to` before `from`); answered with 400 messages:parameter.invalid. */
  PARAMETER_INVALID: 'LEDGE_FU_PARAMETER_INVALID',
  /** `start` or `cancel` names a correlation ID this device never offered or already finished; answered with 404. */
  UPLOAD_NOT_FOUND: 'LEDGE_FU_UPLOAD_NOT_FOUND',
  /** A requested path or glob lies outside the configured `files` glob (mode strict/scoped), contains `..`, or resolves (symlink) outside it. */
  PATH_REFUSED: 'LEDGE_FU_PATH_REFUSED',
  /** `storage.provider` names a provider this device does not support (supported: generic, aws, azure). */
  PROVIDER_UNKNOWN: 'LEDGE_FU_PROVIDER_UNKNOWN',
  /** A provider option is missing or invalid (e.g. no `https.url`, a non-http URL, no `aws.s3.bucket`). */
  PROVIDER_OPTION_INVALID: 'LEDGE_FU_PROVIDER_OPTION_INVALID',
  /** `trigger` refused: `singleUpload` is on and an upload is in progress (send `"force":"true"` to override). */
  UPLOAD_IN_PROGRESS: 'LEDGE_FU_UPLOAD_IN_PROGRESS',
  /** `trigger` selected no files. */
  NO_FILES: 'LEDGE_FU_NO_FILES',
} as const);
export type FileUploadErrorCode = (typeof FileUploadErrorCodes)[keyof typeof FileUploadErrorCodes];

export function parameterInvalidError(message: string, details?: Record<string, unknown>): LedgeError {
  return new InvalidArgumentError(FileUploadErrorCodes.PARAMETER_INVALID, message, details ? { details } : {});
}
export function uploadNotFoundError(correlationId: string): LedgeError {
  return new NotFoundError(FileUploadErrorCodes.UPLOAD_NOT_FOUND, `no upload with correlation ID '${correlationId}'`, { details: { correlationId } });
}
export function pathRefusedError(path: string, why: string): LedgeError {
  return new InvalidArgumentError(FileUploadErrorCodes.PATH_REFUSED, `path '${path}' refused: ${why}`, { details: { path } });
}
export function providerUnknownError(provider: string, supported: readonly string[]): LedgeError {
  return new InvalidArgumentError(FileUploadErrorCodes.PROVIDER_UNKNOWN, `storage provider '${provider}' is not supported (supported: ${supported.join(', ')})`, { details: { provider } });
}
export function providerOptionError(option: string, why: string): LedgeError {
  return new InvalidArgumentError(FileUploadErrorCodes.PROVIDER_OPTION_INVALID, `option '${option}' ${why}`, { details: { option } });
}
export function uploadInProgressError(): LedgeError {
  return new FailedPreconditionError(FileUploadErrorCodes.UPLOAD_IN_PROGRESS, 'an upload is in progress and singleUpload is set (use option force=true)');
}
export function noFilesError(glob: string): LedgeError {
  return new FailedPreconditionError(FileUploadErrorCodes.NO_FILES, `no files match '${glob}'`, { details: { glob } });
}
