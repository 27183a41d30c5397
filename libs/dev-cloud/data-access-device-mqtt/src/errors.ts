// Errors of the device side of the development cloud (STYLE.md "Errors"): stable codes, never reused,
// listed in docs/errors.md. Socket errors are translated here, once.
import { FailedPreconditionError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const DeviceMqttErrorCodes = Object.freeze({
  /** The device side could not listen on its host and port (in use, not an address of this machine, no permission). */
  LISTEN_FAILED: 'LEDGE_DEV_CLOUD_MQTT_LISTEN_FAILED',
  /** listen() after close(): the device side does not open again. */
  CLOSED: 'LEDGE_DEV_CLOUD_MQTT_CLOSED',
} as const);
export type DeviceMqttErrorCode = (typeof DeviceMqttErrorCodes)[keyof typeof DeviceMqttErrorCodes];

export function listenError(host: string, port: number, cause: unknown): LedgeError {
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
  return new UnavailableError(DeviceMqttErrorCodes.LISTEN_FAILED, `the device MQTT side cannot listen on ${host}:${port}: ${errno}`, { details: { host, port, errno }, cause });
}

export function closedError(): LedgeError {
  return new FailedPreconditionError(DeviceMqttErrorCodes.CLOSED, 'the device MQTT side is closed');
}
