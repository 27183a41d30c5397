// Errors of the S3 upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { FailedPreconditionError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const S3ErrorCodes = Object.freeze({
  /** S3 answered an upload request with an error status; the S3 error code (AccessDenied, NoSuchBucket, SignatureDoesNotMatch, …) is in the message. */
  S3_STATUS: 'LEDGE_FU_S3_STATUS',
  /** The connection to S3 failed or broke during the transfer. */
  S3_FAILED: 'LEDGE_FU_S3_FAILED',
  /** S3 answered with a body this client cannot read (e.g. no UploadId in CreateMultipartUpload). */
  S3_PROTOCOL: 'LEDGE_FU_S3_PROTOCOL',
} as const);

export function s3StatusError(op: string, status: number, body: string): LedgeError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  return new FailedPreconditionError(S3ErrorCodes.S3_STATUS, `S3 ${op} failed: HTTP ${status}${code ? ` ${code}` : ''}`, { details: { status, s3Code: code } });
}
export function s3FailedError(op: string, cause: unknown): LedgeError {
  return new UnavailableError(S3ErrorCodes.S3_FAILED, `S3 ${op} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
export function s3ProtocolError(op: string, why: string): LedgeError {
  return new FailedPreconditionError(S3ErrorCodes.S3_PROTOCOL, `S3 ${op}: ${why}`);
}
