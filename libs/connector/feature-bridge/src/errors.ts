// Errors of the connector bridge (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { FailedPreconditionError, InvalidArgumentError, type LedgeError } from '@ledge/shared/util';

export const BridgeErrorCodes = Object.freeze({
  /** provisioning.json exists but is not valid JSON or lacks the fields of §2.1.2 (status PROVISIONING_ERROR). */
  PROVISIONING_INVALID: 'LEDGE_CONNECTOR_PROVISIONING_INVALID',
  /** Neither provisioning.json nor the config name a device and tenant (status PROVISIONING_MISSING). */
  PROVISIONING_MISSING: 'LEDGE_CONNECTOR_PROVISIONING_MISSING',
  /** The connector `mode` names no registered cloud protocol. */
  UNKNOWN_MODE: 'LEDGE_CONNECTOR_UNKNOWN_MODE',
  /** A message was not persisted because the outbox failed (disk full, I/O error); the local broker redelivers it. */
  OUTBOX_FAILED: 'LEDGE_CONNECTOR_OUTBOX_FAILED',
  /** A configured certificate, key or CA file cannot be read (status CONFIG_ERROR). */
  TLS_FILE_UNREADABLE: 'LEDGE_CONNECTOR_TLS_FILE_UNREADABLE',
  /** Bootstrapping gave up: maxAttempts requests failed (backend error, wrong hash, no answer), the bootstrap identity was refused, or a script failed. */
  BOOTSTRAP_FAILED: 'LEDGE_CONNECTOR_BOOTSTRAP_FAILED',
} as const);
export type BridgeErrorCode = (typeof BridgeErrorCodes)[keyof typeof BridgeErrorCodes];

export function provisioningInvalidError(file: string, problem: string, cause?: unknown): LedgeError {
  return new InvalidArgumentError(BridgeErrorCodes.PROVISIONING_INVALID, `provisioning file ${file} is invalid: ${problem}`, { details: { file }, cause });
}

export function provisioningMissingError(file: string): LedgeError {
  return new FailedPreconditionError(BridgeErrorCodes.PROVISIONING_MISSING, `no provisioning file ${file} and no deviceId/tenantId configured`, { details: { file } });
}

export function unknownModeError(mode: string, known: readonly string[]): LedgeError {
  return new InvalidArgumentError(BridgeErrorCodes.UNKNOWN_MODE, `unknown connector mode "${mode}" (known: ${known.join(', ')})`, { details: { mode } });
}

export function tlsFileError(key: string, file: string, cause: unknown): LedgeError {
  return new InvalidArgumentError(BridgeErrorCodes.TLS_FILE_UNREADABLE, `cannot read ${key} file ${file}`, { details: { key, file }, cause });
}

export function bootstrapFailedError(why: string): LedgeError {
  return new FailedPreconditionError(BridgeErrorCodes.BOOTSTRAP_FAILED, `bootstrapping failed: ${why}`);
}
