// Errors of the Azure IoT Hub mapping and connection helpers (STYLE.md "Errors"): stable codes, never
// reused, listed in docs/errors.md. The mapping never throws (drops carry a reason); these are
// configuration errors raised once, when the connector is set up.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const AzureErrors = defineErrors({
  /** `connectionString` is malformed or lacks HostName/DeviceId, or its SharedAccessKey is not base64 (§2.3). */
  INVALID_CONNECTION_STRING: {
    code: 'LEDGE_CONNECTOR_AZURE_INVALID_CONNECTION_STRING',
    kind: 'InvalidArgument',
    message: 'invalid Azure IoT Hub connection string: {problem} (expected HostName=<hub>.azure-devices.net;DeviceId=<id>;SharedAccessKey=<base64>)',
  },
  /** `sasTokenValidity` is not a positive whole number followed by m, h or d (e.g. `1h`). */
  INVALID_SAS_TOKEN_VALIDITY: {
    code: 'LEDGE_CONNECTOR_AZURE_INVALID_SAS_TOKEN_VALIDITY',
    kind: 'InvalidArgument',
    message: 'invalid sasTokenValidity "{value}": expected a positive number followed by m, h or d (e.g. 1h)',
  },
  /** The connection string has no SharedAccessKey and no client certificate/key is configured. */
  MISSING_CREDENTIALS: {
    code: 'LEDGE_CONNECTOR_AZURE_MISSING_CREDENTIALS',
    kind: 'InvalidArgument',
    message: 'the connection string has no SharedAccessKey: configure cert and key for X.509 authentication',
  },
});

export const AzureErrorCodes = AzureErrors.codes;
export type AzureErrorCode = (typeof AzureErrorCodes)[keyof typeof AzureErrorCodes];

export function invalidConnectionStringError(problem: string, cause?: unknown): LedgeError {
  // The connection string holds a secret: never put it in the message or details.
  return AzureErrors.create('INVALID_CONNECTION_STRING', { problem }, { cause });
}

export function invalidSasTokenValidityError(value: string): LedgeError {
  return AzureErrors.create('INVALID_SAS_TOKEN_VALIDITY', { value }, { details: { value } });
}

export function missingCredentialsError(): LedgeError {
  return AzureErrors.create('MISSING_CREDENTIALS', {});
}
