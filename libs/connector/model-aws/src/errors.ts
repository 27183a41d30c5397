// Errors of the AWS IoT Core mapping (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. The mapping itself never throws (drops carry a reason); these are configuration errors
// raised once, when the connector is set up.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const AwsErrors = defineErrors({
  /** `topicFilter` or one of `payloadFilters` is not a valid regular expression. */
  INVALID_FILTER: { code: 'LEDGE_CONNECTOR_AWS_INVALID_FILTER', kind: 'InvalidArgument', message: 'invalid {key} regular expression "{pattern}": {reason}' },
  /** The client certificate (`cert`) cannot be parsed as a PEM X.509 certificate or has no subject CN. */
  INVALID_CERTIFICATE: { code: 'LEDGE_CONNECTOR_AWS_INVALID_CERTIFICATE', kind: 'InvalidArgument', message: 'invalid client certificate: {reason}' },
  /** The device ID (the certificate's CN) is not a namespaced thing ID `<namespace>:<name>` (§2.2). */
  INVALID_DEVICE_ID: {
    code: 'LEDGE_CONNECTOR_AWS_INVALID_DEVICE_ID',
    kind: 'InvalidArgument',
    message: 'device ID "{deviceId}" from the certificate CN is not <namespace>:<name>: {reason}',
  },
});

export const AwsErrorCodes = AwsErrors.codes;
export type AwsErrorCode = (typeof AwsErrorCodes)[keyof typeof AwsErrorCodes];

export function invalidFilterError(key: string, pattern: string, cause: unknown): LedgeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return AwsErrors.create('INVALID_FILTER', { key, pattern, reason }, { cause, details: { key, pattern } });
}

export function invalidCertificateError(reason: string, cause?: unknown): LedgeError {
  return AwsErrors.create('INVALID_CERTIFICATE', { reason }, { cause });
}

export function invalidDeviceIdError(deviceId: string, reason: string): LedgeError {
  return AwsErrors.create('INVALID_DEVICE_ID', { deviceId, reason }, { details: { deviceId } });
}
