// Errors of the artifact downloader (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const DownloadErrorCodes = Object.freeze({
  /** The artifact server kept failing (network errors, 5xx, stalls) for more attempts in a row without progress than downloadRetryCount allows. */
  DOWNLOAD_FAILED: 'LEDGE_SU_DOWNLOAD_FAILED',
  /** The artifact server answered with an HTTP status that retrying cannot fix (e.g. 404, 403). */
  HTTP_STATUS: 'LEDGE_SU_DOWNLOAD_HTTP_STATUS',
  /** The artifact is larger than maxArtifactSize, or than its declared size (checked before and while downloading). */
  TOO_LARGE: 'LEDGE_SU_ARTIFACT_TOO_LARGE',
  /** The server's size differs from the size the update request declared. */
  SIZE_MISMATCH: 'LEDGE_SU_ARTIFACT_SIZE_MISMATCH',
  /** Not enough free space on the storage file system for the rest of the artifact plus minFreeSpace. */
  DISK_FULL: 'LEDGE_SU_DISK_FULL',
  /** The downloaded bytes do not match the request's SHA-256 / SHA-1 / MD5 checksum; nothing is installed. */
  CHECKSUM_MISMATCH: 'LEDGE_SU_CHECKSUM_MISMATCH',
  /** The download was cancelled (shutdown); its partial file is kept and resumed on the next start. */
  ABORTED: 'LEDGE_SU_DOWNLOAD_ABORTED',
  /** The artifact URL is not http(s). */
  URL_INVALID: 'LEDGE_SU_DOWNLOAD_URL_INVALID',
} as const);
export type DownloadErrorCode = (typeof DownloadErrorCodes)[keyof typeof DownloadErrorCodes];

export function downloadFailedError(url: string, attempts: number, cause: unknown): LedgeError {
  return new UnavailableError(DownloadErrorCodes.DOWNLOAD_FAILED, `download of ${url} failed after ${attempts} attempts without progress: ${(cause as Error)?.message ?? String(cause)}`, { details: { url, attempts }, cause });
}
export function httpStatusError(url: string, status: number): LedgeError {
  return new FailedPreconditionError(DownloadErrorCodes.HTTP_STATUS, `artifact server answered ${status} for ${url}`, { details: { url, status } });
}
export function tooLargeError(url: string, bytes: number, limit: number): LedgeError {
  return new FailedPreconditionError(DownloadErrorCodes.TOO_LARGE, `artifact ${url} is larger than ${limit} bytes (${bytes})`, { details: { url, bytes, limit } });
}
export function sizeMismatchError(url: string, declared: number, actual: number): LedgeError {
  return new FailedPreconditionError(DownloadErrorCodes.SIZE_MISMATCH, `artifact ${url} has ${actual} bytes, the request declared ${declared}`, { details: { url, declared, actual } });
}
export function diskFullError(dir: string, needed: number, available: number): LedgeError {
  return new FailedPreconditionError(DownloadErrorCodes.DISK_FULL, `not enough free space in ${dir}: ${needed} bytes needed, ${available} available`, { details: { dir, needed, available } });
}
export function checksumMismatchError(url: string, algorithm: string, expected: string, actual: string): LedgeError {
  return new FailedPreconditionError(DownloadErrorCodes.CHECKSUM_MISMATCH, `${algorithm} of ${url} is ${actual}, expected ${expected}`, { details: { url, algorithm, expected, actual } });
}
export function abortedError(url: string): LedgeError {
  return new UnavailableError(DownloadErrorCodes.ABORTED, `download of ${url} was cancelled`, { details: { url } });
}
export function urlInvalidError(url: string): LedgeError {
  return new InvalidArgumentError(DownloadErrorCodes.URL_INVALID, `artifact URL must be http: or https: (${url})`, { details: { url } });
}
