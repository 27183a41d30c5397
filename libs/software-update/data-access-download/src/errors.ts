// Errors of the artifact downloader (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const DownloadErrors = defineErrors({
  /** The artifact server kept failing (network errors, 5xx, stalls) for more attempts in a row without progress than downloadRetryCount allows. */
  DOWNLOAD_FAILED: { code: 'LEDGE_SU_DOWNLOAD_FAILED', kind: 'Unavailable', message: 'download of {url} failed after {attempts} attempts without progress: {reason}' },
  /** The artifact server answered with an HTTP status that retrying cannot fix (e.g. 404, 403). */
  HTTP_STATUS: { code: 'LEDGE_SU_DOWNLOAD_HTTP_STATUS', kind: 'FailedPrecondition', message: 'artifact server answered {status} for {url}' },
  /** The artifact is larger than maxArtifactSize, or than its declared size (checked before and while downloading). */
  TOO_LARGE: { code: 'LEDGE_SU_ARTIFACT_TOO_LARGE', kind: 'FailedPrecondition', message: 'artifact {url} is larger than {limit} bytes ({bytes})' },
  /** The server's size differs from the size the update request declared. */
  SIZE_MISMATCH: { code: 'LEDGE_SU_ARTIFACT_SIZE_MISMATCH', kind: 'FailedPrecondition', message: 'artifact {url} has {actual} bytes, the request declared {declared}' },
  /** Not enough free space on the storage file system for the rest of the artifact plus minFreeSpace. */
  DISK_FULL: { code: 'LEDGE_SU_DISK_FULL', kind: 'FailedPrecondition', message: 'not enough free space in {dir}: {needed} bytes needed, {available} available' },
  /** The downloaded bytes do not match the request's SHA-256 / SHA-1 / MD5 checksum; nothing is installed. */
  CHECKSUM_MISMATCH: { code: 'LEDGE_SU_CHECKSUM_MISMATCH', kind: 'FailedPrecondition', message: '{algorithm} of {url} is {actual}, expected {expected}' },
  /** The download was cancelled (shutdown); its partial file is kept and resumed on the next start. */
  ABORTED: { code: 'LEDGE_SU_DOWNLOAD_ABORTED', kind: 'Unavailable', message: 'download of {url} was cancelled' },
  /** The artifact URL is not http(s). */
  URL_INVALID: { code: 'LEDGE_SU_DOWNLOAD_URL_INVALID', kind: 'InvalidArgument', message: 'artifact URL must be http: or https: ({url})' },
});

export const DownloadErrorCodes = DownloadErrors.codes;
export type DownloadErrorCode = (typeof DownloadErrorCodes)[keyof typeof DownloadErrorCodes];

export function downloadFailedError(url: string, attempts: number, cause: unknown): LedgeError {
  return DownloadErrors.create('DOWNLOAD_FAILED', { url, attempts, reason: (cause as Error)?.message ?? String(cause) }, { details: { url, attempts }, cause });
}
export function httpStatusError(url: string, status: number): LedgeError {
  return DownloadErrors.create('HTTP_STATUS', { url, status }, { details: { url, status } });
}
export function tooLargeError(url: string, bytes: number, limit: number): LedgeError {
  return DownloadErrors.create('TOO_LARGE', { url, bytes, limit }, { details: { url, bytes, limit } });
}
export function sizeMismatchError(url: string, declared: number, actual: number): LedgeError {
  return DownloadErrors.create('SIZE_MISMATCH', { url, declared, actual }, { details: { url, declared, actual } });
}
export function diskFullError(dir: string, needed: number, available: number): LedgeError {
  return DownloadErrors.create('DISK_FULL', { dir, needed, available }, { details: { dir, needed, available } });
}
export function checksumMismatchError(url: string, algorithm: string, expected: string, actual: string): LedgeError {
  return DownloadErrors.create('CHECKSUM_MISMATCH', { url, algorithm, expected, actual }, { details: { url, algorithm, expected, actual } });
}
export function abortedError(url: string): LedgeError {
  return DownloadErrors.create('ABORTED', { url }, { details: { url } });
}
export function urlInvalidError(url: string): LedgeError {
  return DownloadErrors.create('URL_INVALID', { url }, { details: { url } });
}
