// Errors of the connector bridge (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const BridgeErrors = defineErrors({
  /** provisioning.json exists but is not valid JSON or lacks the fields of §2.1.2 (status PROVISIONING_ERROR). */
  PROVISIONING_INVALID: { code: 'LEDGE_CONNECTOR_PROVISIONING_INVALID', kind: 'InvalidArgument', message: 'provisioning file {file} is invalid: {problem}' },
  /** The connector `mode` names no registered cloud protocol. */
  UNKNOWN_MODE: { code: 'LEDGE_CONNECTOR_UNKNOWN_MODE', kind: 'InvalidArgument', message: 'unknown connector mode "{mode}" (known: {known})' },
  /** A configured certificate, key or CA file cannot be read (status CONFIG_ERROR). */
  TLS_FILE_UNREADABLE: { code: 'LEDGE_CONNECTOR_TLS_FILE_UNREADABLE', kind: 'InvalidArgument', message: 'cannot read {key} file {file}' },
  /** Bootstrapping gave up: maxAttempts requests failed (backend error, wrong hash, no answer), the bootstrap identity was refused, or a script failed. */
  BOOTSTRAP_FAILED: { code: 'LEDGE_CONNECTOR_BOOTSTRAP_FAILED', kind: 'FailedPrecondition', message: 'bootstrapping failed: {why}' },
});

export const BridgeErrorCodes = BridgeErrors.codes;
export type BridgeErrorCode = (typeof BridgeErrorCodes)[keyof typeof BridgeErrorCodes];

export function provisioningInvalidError(file: string, problem: string, cause?: unknown): LedgeError {
  return BridgeErrors.create('PROVISIONING_INVALID', { file, problem }, { details: { file }, cause });
}

export function unknownModeError(mode: string, known: readonly string[]): LedgeError {
  return BridgeErrors.create('UNKNOWN_MODE', { mode, known: known.join(', ') }, { details: { mode } });
}

export function tlsFileError(key: string, file: string, cause: unknown): LedgeError {
  return BridgeErrors.create('TLS_FILE_UNREADABLE', { key, file }, { details: { key, file }, cause });
}

export function bootstrapFailedError(why: string): LedgeError {
  return BridgeErrors.create('BOOTSTRAP_FAILED', { why });
}
