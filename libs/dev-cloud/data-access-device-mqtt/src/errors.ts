// Errors of the device side of the development cloud (STYLE.md "Errors"): stable codes, never reused,
// listed in docs/errors.md. Socket errors are translated here, once.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const DeviceMqttErrors = defineErrors({
  /** The device side could not listen on its host and port (in use, not an address of this machine, no permission). */
  LISTEN_FAILED: { code: 'LEDGE_DEV_CLOUD_MQTT_LISTEN_FAILED', kind: 'Unavailable', message: 'the device MQTT side cannot listen on {host}:{port}: {errno}' },
  /** listen() after close(): the device side does not open again. */
  CLOSED: { code: 'LEDGE_DEV_CLOUD_MQTT_CLOSED', kind: 'FailedPrecondition', message: 'the device MQTT side is closed' },
});

export const DeviceMqttErrorCodes = DeviceMqttErrors.codes;
export type DeviceMqttErrorCode = (typeof DeviceMqttErrorCodes)[keyof typeof DeviceMqttErrorCodes];

export function listenError(host: string, port: number, cause: unknown): LedgeError {
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
  return DeviceMqttErrors.create('LISTEN_FAILED', { host, port, errno }, { details: { host, port, errno }, cause });
}

export function closedError(): LedgeError {
  return DeviceMqttErrors.create('CLOSED', {});
}
