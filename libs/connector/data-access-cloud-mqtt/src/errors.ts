// Errors of the cloud MQTT connection (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. MQTT.js errors are translated here, once; CONNACK refusals keep the MQTT return code
// in `details.returnCode`.
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const CloudMqttErrorCodes = Object.freeze({
  /** The cloud address is not `scheme://host:port` with a supported scheme (§2.1.1). */
  INVALID_ADDRESS: 'LEDGE_CONNECTOR_INVALID_ADDRESS',
  /** Bad connection options (e.g. a client certificate without its key). */
  INVALID_CLOUD_OPTIONS: 'LEDGE_CONNECTOR_INVALID_CLOUD_OPTIONS',
  /** The cloud broker refused the connection (CONNACK return code ≠ 0, in `details.returnCode`). */
  CLOUD_REFUSED: 'LEDGE_CONNECTOR_CLOUD_REFUSED',
  /** Network or TLS failure toward the cloud (refused socket, reset, certificate check, timeout). */
  CLOUD_CONNECTION_FAILED: 'LEDGE_CONNECTOR_CLOUD_CONNECTION_FAILED',
  /** A publish toward the cloud was interrupted before its PUBACK (it is sent again from the outbox). */
  CLOUD_PUBLISH_FAILED: 'LEDGE_CONNECTOR_CLOUD_PUBLISH_FAILED',
  /** The cloud client is closed or has given up (authentication retries exhausted, identifier rejected). */
  CLOUD_STOPPED: 'LEDGE_CONNECTOR_CLOUD_STOPPED',
} as const);
export type CloudMqttErrorCode = (typeof CloudMqttErrorCodes)[keyof typeof CloudMqttErrorCodes];

export function invalidAddressError(address: string, problem: string): LedgeError {
  return new InvalidArgumentError(CloudMqttErrorCodes.INVALID_ADDRESS, `invalid cloud address "${address}": ${problem}`, { details: { address } });
}

export function invalidCloudOptionsError(problem: string): LedgeError {
  return new InvalidArgumentError(CloudMqttErrorCodes.INVALID_CLOUD_OPTIONS, `invalid cloud connection options: ${problem}`);
}

export function cloudRefusedError(returnCode: number, reason: string, cause?: unknown): LedgeError {
  return new UnavailableError(CloudMqttErrorCodes.CLOUD_REFUSED, `cloud broker refused the connection: ${reason} (CONNACK ${returnCode})`, {
    details: { returnCode },
    cause,
  });
}

export function cloudConnectionError(reason: string, cause?: unknown, errno?: string): LedgeError {
  return new UnavailableError(CloudMqttErrorCodes.CLOUD_CONNECTION_FAILED, `connection to the cloud failed: ${reason}`, {
    ...(errno === undefined ? {} : { details: { errno } }),
    cause,
  });
}

export function cloudPublishError(topic: string, reason: string, cause?: unknown): LedgeError {
  return new UnavailableError(CloudMqttErrorCodes.CLOUD_PUBLISH_FAILED, `publish to "${topic}" at the cloud failed: ${reason}`, { details: { topic }, cause });
}

export function cloudStoppedError(why: string): LedgeError {
  return new FailedPreconditionError(CloudMqttErrorCodes.CLOUD_STOPPED, `cloud connection stopped: ${why}`);
}
