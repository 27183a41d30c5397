// Errors of the S3 upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const S3Errors = defineErrors({
  /** S3 answered an upload request with an error status; the S3 error code (AccessDenied, NoSuchBucket, SignatureDoesNotMatch, …) is in the message. */
  S3_STATUS: { code: 'LEDGE_FU_S3_STATUS', kind: 'FailedPrecondition', message: 'S3 {op} failed: HTTP {status}{s3Code}' },
  /** The connection to S3 failed or broke during the transfer. */
  S3_FAILED: { code: 'LEDGE_FU_S3_FAILED', kind: 'Unavailable', message: 'S3 {op} failed: {reason}' },
  /** S3 answered with a body this client cannot read (e.g. no UploadId in CreateMultipartUpload). */
  S3_PROTOCOL: { code: 'LEDGE_FU_S3_PROTOCOL', kind: 'FailedPrecondition', message: 'S3 {op}: {why}' },
});

export const S3ErrorCodes = S3Errors.codes;

export function s3StatusError(op: string, status: number, body: string): LedgeError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  return S3Errors.create('S3_STATUS', { op, status, s3Code: code ? ` ${code}` : '' }, { details: { status, s3Code: code } });
}
export function s3FailedError(op: string, cause: unknown): LedgeError {
  return S3Errors.create('S3_FAILED', { op, reason: (cause as Error)?.message ?? String(cause) }, { cause });
}
export function s3ProtocolError(op: string, why: string): LedgeError {
  return S3Errors.create('S3_PROTOCOL', { op, why });
}
