// Errors of the cloud MQTT connection (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. MQTT.js errors are translated here, once; CONNACK refusals keep the MQTT return code
// in `details.returnCode`.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const CloudMqttErrors = defineErrors({
  /** The cloud address is not `scheme://host:port` with a supported scheme (§2.1.1). */
  INVALID_ADDRESS: { code: 'LEDGE_CONNECTOR_INVALID_ADDRESS', kind: 'InvalidArgument', message: 'invalid cloud address "{address}": {problem}' },
  /** Bad connection options (e.g. a client certificate without its key). */
  INVALID_CLOUD_OPTIONS: { code: 'LEDGE_CONNECTOR_INVALID_CLOUD_OPTIONS', kind: 'InvalidArgument', message: 'invalid cloud connection options: {problem}' },
  /** The cloud broker refused the connection (CONNACK return code ≠ 0, in `details.returnCode`). */
  CLOUD_REFUSED: { code: 'LEDGE_CONNECTOR_CLOUD_REFUSED', kind: 'Unavailable', message: 'cloud broker refused the connection: {reason} (CONNACK {returnCode})' },
  /** Network or TLS failure toward the cloud (refused socket, reset, certificate check, timeout). */
  CLOUD_CONNECTION_FAILED: { code: 'LEDGE_CONNECTOR_CLOUD_CONNECTION_FAILED', kind: 'Unavailable', message: 'connection to the cloud failed: {reason}' },
  /** A publish toward the cloud was interrupted before its PUBACK (it is sent again from the outbox). */
  CLOUD_PUBLISH_FAILED: { code: 'LEDGE_CONNECTOR_CLOUD_PUBLISH_FAILED', kind: 'Unavailable', message: 'publish to "{topic}" at the cloud failed: {reason}' },
  /** The cloud client is closed or has given up (authentication retries exhausted, identifier rejected). */
  CLOUD_STOPPED: { code: 'LEDGE_CONNECTOR_CLOUD_STOPPED', kind: 'FailedPrecondition', message: 'cloud connection stopped: {why}' },
});

export const CloudMqttErrorCodes = CloudMqttErrors.codes;
export type CloudMqttErrorCode = (typeof CloudMqttErrorCodes)[keyof typeof CloudMqttErrorCodes];

export function invalidAddressError(address: string, problem: string): LedgeError {
  return CloudMqttErrors.create('INVALID_ADDRESS', { address, problem }, { details: { address } });
}

export function invalidCloudOptionsError(problem: string): LedgeError {
  return CloudMqttErrors.create('INVALID_CLOUD_OPTIONS', { problem });
}

export function cloudRefusedError(returnCode: number, reason: string, cause?: unknown): LedgeError {
  return CloudMqttErrors.create('CLOUD_REFUSED', { reason, returnCode }, { details: { returnCode }, cause });
}

export function cloudConnectionError(reason: string, cause?: unknown, errno?: string): LedgeError {
  return CloudMqttErrors.create('CLOUD_CONNECTION_FAILED', { reason }, { ...(errno === undefined ? {} : { details: { errno } }), cause });
}

export function cloudPublishError(topic: string, reason: string, cause?: unknown): LedgeError {
  return CloudMqttErrors.create('CLOUD_PUBLISH_FAILED', { topic, reason }, { details: { topic }, cause });
}

export function cloudStoppedError(why: string): LedgeError {
  return CloudMqttErrors.create('CLOUD_STOPPED', { why });
}
