// Errors of the generic HTTP upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const HttpUploadErrorCodes = Object.freeze({
  /** The upload server answered with a non-2xx HTTP status; the status and URL (without query) are in the message. */
  HTTP_STATUS: 'LEDGE_FU_HTTP_STATUS',
  /** The connection to the upload server failed or broke during the transfer (network error, TLS error, reset). */
  HTTP_FAILED: 'LEDGE_FU_HTTP_FAILED',
  /** A download (file-backup's restore archive) got a non-2xx HTTP status; status and URL (without query) are in the message. */
  DOWNLOAD_STATUS: 'LEDGE_FU_DOWNLOAD_STATUS',
  /** A download failed or stalled (no byte for downloadStallTimeout); nothing of it is kept. */
  DOWNLOAD_FAILED: 'LEDGE_FU_DOWNLOAD_FAILED',
  /** A download is larger than allowed (declared or received); it is cut off and nothing of it is kept. */
  DOWNLOAD_TOO_LARGE: 'LEDGE_FU_DOWNLOAD_TOO_LARGE',
} as const);

/** The URL without query and fragment: pre-signed URLs carry secrets there. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

export function httpStatusError(url: string, status: number, body: string): LedgeError {
  return new FailedPreconditionError(HttpUploadErrorCodes.HTTP_STATUS, `upload to ${safeUrl(url)} failed: HTTP ${status}${body ? ` ${body.slice(0, 200)}` : ''}`, { details: { status } });
}
export function httpFailedError(url: string, cause: unknown): LedgeError {
  return new UnavailableError(HttpUploadErrorCodes.HTTP_FAILED, `upload to ${safeUrl(url)} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
export function downloadStatusError(url: string, status: number, body: string): LedgeError {
  return new FailedPreconditionError(HttpUploadErrorCodes.DOWNLOAD_STATUS, `download from ${safeUrl(url)} failed: HTTP ${status}${body ? ` ${body.slice(0, 200)}` : ''}`, { details: { status } });
}
export function downloadFailedError(url: string, cause: unknown): LedgeError {
  return new UnavailableError(HttpUploadErrorCodes.DOWNLOAD_FAILED, `download from ${safeUrl(url)} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
export function downloadTooLargeError(url: string, maxBytes: number): LedgeError {
  return new InvalidArgumentError(HttpUploadErrorCodes.DOWNLOAD_TOO_LARGE, `download from ${safeUrl(url)} is larger than ${maxBytes} bytes`, { details: { maxBytes } });
}
