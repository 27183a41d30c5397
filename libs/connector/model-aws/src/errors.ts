// Errors of the AWS IoT Core mapping (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. The mapping itself never throws (drops carry a reason); these are configuration errors
// raised once, when the connector is set up.
import { InvalidArgumentError, formatMessage, type LedgeError } from '@ledge/shared/util';

export const AwsErrorCodes = Object.freeze({
  /** `topicFilter` or one of `payloadFilters` is not a valid regular expression. */
  INVALID_FILTER: 'LEDGE_CONNECTOR_AWS_INVALID_FILTER',
  /** The client certificate (`cert`) cannot be parsed as a PEM X.509 certificate or has no subject CN. */
  INVALID_CERTIFICATE: 'LEDGE_CONNECTOR_AWS_INVALID_CERTIFICATE',
  /** The device ID (the certificate's CN) is not a namespaced thing ID `<namespace>:<name>` (§2.2). */
  INVALID_DEVICE_ID: 'LEDGE_CONNECTOR_AWS_INVALID_DEVICE_ID',
} as const);
export type AwsErrorCode = (typeof AwsErrorCodes)[keyof typeof AwsErrorCodes];

const messages: Readonly<Record<AwsErrorCode, string>> = Object.freeze({
  LEDGE_CONNECTOR_AWS_INVALID_FILTER: 'invalid {key} regular expression "{pattern}": {reason}',
  LEDGE_CONNECTOR_AWS_INVALID_CERTIFICATE: 'invalid client certificate: {reason}',
  LEDGE_CONNECTOR_AWS_INVALID_DEVICE_ID: 'device ID "{deviceId}" from the certificate CN is not <namespace>:<name>: {reason}',
});

export function invalidFilterError(key: string, pattern: string, cause: unknown): LedgeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new InvalidArgumentError(AwsErrorCodes.INVALID_FILTER, formatMessage(messages[AwsErrorCodes.INVALID_FILTER], { key, pattern, reason }), {
    cause,
    details: { key, pattern },
  });
}

export function invalidCertificateError(reason: string, cause?: unknown): LedgeError {
  return new InvalidArgumentError(AwsErrorCodes.INVALID_CERTIFICATE, formatMessage(messages[AwsErrorCodes.INVALID_CERTIFICATE], { reason }), {
    cause,
  });
}

export function invalidDeviceIdError(deviceId: string, reason: string): LedgeError {
  return new InvalidArgumentError(AwsErrorCodes.INVALID_DEVICE_ID, formatMessage(messages[AwsErrorCodes.INVALID_DEVICE_ID], { deviceId, reason }), {
    details: { deviceId },
  });
}
