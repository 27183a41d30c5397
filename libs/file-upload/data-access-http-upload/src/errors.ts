// Errors of the generic HTTP upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const HttpUploadErrors = defineErrors({
  /** The upload server answered with a non-2xx HTTP status; the status and URL (without query) are in the message. */
  HTTP_STATUS: { code: 'LEDGE_FU_HTTP_STATUS', kind: 'FailedPrecondition', message: 'upload to {url} failed: HTTP {status}{body}' },
  /** The connection to the upload server failed or broke during the transfer (network error, TLS error, reset). */
  HTTP_FAILED: { code: 'LEDGE_FU_HTTP_FAILED', kind: 'Unavailable', message: 'upload to {url} failed: {reason}' },
  /** A download (file-backup's restore archive) got a non-2xx HTTP status; status and URL (without query) are in the message. */
  DOWNLOAD_STATUS: { code: 'LEDGE_FU_DOWNLOAD_STATUS', kind: 'FailedPrecondition', message: 'download from {url} failed: HTTP {status}{body}' },
  /** A download failed or stalled (no byte for downloadStallTimeout); nothing of it is kept. */
  DOWNLOAD_FAILED: { code: 'LEDGE_FU_DOWNLOAD_FAILED', kind: 'Unavailable', message: 'download from {url} failed: {reason}' },
  /** A download is larger than allowed (declared or received); it is cut off and nothing of it is kept. */
  DOWNLOAD_TOO_LARGE: { code: 'LEDGE_FU_DOWNLOAD_TOO_LARGE', kind: 'InvalidArgument', message: 'download from {url} is larger than {maxBytes} bytes' },
});

export const HttpUploadErrorCodes = HttpUploadErrors.codes;

/** The URL without query and fragment: pre-signed URLs carry secrets there. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** The start of a response body, after a space; nothing for an empty body. */
const bodySuffix = (body: string): string => (body ? ` ${body.slice(0, 200)}` : '');
const reasonOf = (cause: unknown): string => (cause as Error)?.message ?? String(cause);

export function httpStatusError(url: string, status: number, body: string): LedgeError {
  return HttpUploadErrors.create('HTTP_STATUS', { url: safeUrl(url), status, body: bodySuffix(body) }, { details: { status } });
}
export function httpFailedError(url: string, cause: unknown): LedgeError {
  return HttpUploadErrors.create('HTTP_FAILED', { url: safeUrl(url), reason: reasonOf(cause) }, { cause });
}
export function downloadStatusError(url: string, status: number, body: string): LedgeError {
  return HttpUploadErrors.create('DOWNLOAD_STATUS', { url: safeUrl(url), status, body: bodySuffix(body) }, { details: { status } });
}
export function downloadFailedError(url: string, cause: unknown): LedgeError {
  return HttpUploadErrors.create('DOWNLOAD_FAILED', { url: safeUrl(url), reason: reasonOf(cause) }, { cause });
}
export function downloadTooLargeError(url: string, maxBytes: number): LedgeError {
  return HttpUploadErrors.create('DOWNLOAD_TOO_LARGE', { url: safeUrl(url), maxBytes }, { details: { maxBytes } });
}
