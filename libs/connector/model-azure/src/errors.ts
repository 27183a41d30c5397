// Errors of the Azure IoT Hub mapping and connection helpers (STYLE.md "Errors"): stable codes, never
// reused, listed in docs/errors.md. The mapping never throws (drops carry a reason); these are
// configuration errors raised once, when the connector is set up.
import { InvalidArgumentError, formatMessage, type LedgeError } from '@ledge/shared/util';

export const AzureErrorCodes = Object.freeze({
  /** `connectionString` is malformed or lacks HostName/DeviceId, or its SharedAccessKey is not base64 (§2.3). */
  INVALID_CONNECTION_STRING: 'LEDGE_CONNECTOR_AZURE_INVALID_CONNECTION_STRING',
  /** `sasTokenValidity` is not a positive whole number followed by m, h or d (e.g. `1h`). */
  INVALID_SAS_TOKEN_VALIDITY: 'LEDGE_CONNECTOR_AZURE_INVALID_SAS_TOKEN_VALIDITY',
  /** The connection string has no SharedAccessKey and no client certificate/key is configured. */
  MISSING_CREDENTIALS: 'LEDGE_CONNECTOR_AZURE_MISSING_CREDENTIALS',
} as const);
export type AzureErrorCode = (typeof AzureErrorCodes)[keyof typeof AzureErrorCodes];

const messages: Readonly<Record<AzureErrorCode, string>> = Object.freeze({
  LEDGE_CONNECTOR_AZURE_INVALID_CONNECTION_STRING:
    'invalid Azure IoT Hub connection string: {problem} (expected HostName=<hub>.azure-devices.net;DeviceId=<id>;SharedAccessKey=<base64>)',
  LEDGE_CONNECTOR_AZURE_INVALID_SAS_TOKEN_VALIDITY: 'invalid sasTokenValidity "{value}": expected a positive number followed by m, h or d (e.g. 1h)',
  LEDGE_CONNECTOR_AZURE_MISSING_CREDENTIALS: 'the connection string has no SharedAccessKey: configure cert and key for X.509 authentication',
});

export function invalidConnectionStringError(problem: string, cause?: unknown): LedgeError {
  // The connection string holds a secret: never put it in the message or details.
  return new InvalidArgumentError(
    AzureErrorCodes.INVALID_CONNECTION_STRING,
    formatMessage(messages[AzureErrorCodes.INVALID_CONNECTION_STRING], { problem }),
    { cause },
  );
}

export function invalidSasTokenValidityError(value: string): LedgeError {
  return new InvalidArgumentError(
    AzureErrorCodes.INVALID_SAS_TOKEN_VALIDITY,
    formatMessage(messages[AzureErrorCodes.INVALID_SAS_TOKEN_VALIDITY], { value }),
    { details: { value } },
  );
}

export function missingCredentialsError(): LedgeError {
  return new InvalidArgumentError(AzureErrorCodes.MISSING_CREDENTIALS, messages[AzureErrorCodes.MISSING_CREDENTIALS]);
}
