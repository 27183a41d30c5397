// Errors of the broker (STYLE.md "Errors"): stable codes, message templates, containerd-style kinds.
// MQTT-level refusals keep the protocol's own code (CONNACK return code) in `details.returnCode`.
import { defineErrors, type FailedPreconditionError, type InvalidArgumentError, type UnavailableError } from '@ledge/shared/util';

const BrokerErrors = defineErrors({
  /** A config value that passed the type check is still unusable (ACL rule, user entry, file). */
  CONFIG_INVALID: { code: 'LEDGE_BROKER_CONFIG_INVALID', kind: 'InvalidArgument', message: 'broker config: {why}' },
  /** A listener could not bind (port in use, address not available). */
  LISTEN_FAILED: { code: 'LEDGE_BROKER_LISTEN_FAILED', kind: 'Unavailable', message: 'cannot listen on {protocol} {host}:{port}: {why}' },
  /** TLS was asked for but the certificate, key or CA could not be read. */
  TLS_FILES_UNREADABLE: { code: 'LEDGE_BROKER_TLS_FILES_UNREADABLE', kind: 'FailedPrecondition', message: 'cannot read TLS file {path}: {why}' },
  /** The persistence could not be opened (data directory not writable, corrupt journal). */
  PERSISTENCE_FAILED: { code: 'LEDGE_BROKER_PERSISTENCE_FAILED', kind: 'Unavailable', message: 'cannot open the broker persistence: {why}' },
  /** CONNECT refused: bad user name or password (CONNACK 4). */
  AUTH_BAD_CREDENTIALS: { code: 'LEDGE_BROKER_AUTH_BAD_CREDENTIALS', kind: 'InvalidArgument', message: 'bad user name or password' },
  /** CONNECT refused: anonymous access not allowed from this peer (CONNACK 5). */
  AUTH_NOT_AUTHORIZED: { code: 'LEDGE_BROKER_AUTH_NOT_AUTHORIZED', kind: 'FailedPrecondition', message: 'not authorized' },
});

export const BrokerErrorCodes = BrokerErrors.codes;
export type BrokerErrorCode = (typeof BrokerErrorCodes)[keyof typeof BrokerErrorCodes];

/** The errno name of a Node error (`EADDRINUSE`), else its message. */
function whyOf(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
}

export function brokerConfigError(why: string, cause?: unknown): InvalidArgumentError {
  return BrokerErrors.create('CONFIG_INVALID', { why }, { cause, details: { why } });
}

export function listenError(protocol: string, host: string, port: number, cause: unknown): UnavailableError {
  return BrokerErrors.create('LISTEN_FAILED', { protocol, host, port, why: whyOf(cause) }, { cause, details: { protocol, host, port } });
}

export function tlsFileError(path: string, cause: unknown): FailedPreconditionError {
  return BrokerErrors.create('TLS_FILES_UNREADABLE', { path, why: whyOf(cause) }, { cause, details: { path } });
}

export function persistenceError(cause: unknown): UnavailableError {
  return BrokerErrors.create('PERSISTENCE_FAILED', { why: (cause as Error).message }, { cause });
}

/** The error aedes' authenticate callback takes: `returnCode` becomes the CONNACK return code. */
export interface ConnackRefusal extends Error {
  returnCode: 4 | 5;
  code: BrokerErrorCode;
}

export function connackRefusal(returnCode: 4 | 5): ConnackRefusal {
  const err = returnCode === 4 ? BrokerErrors.create('AUTH_BAD_CREDENTIALS', {}) : BrokerErrors.create('AUTH_NOT_AUTHORIZED', {});
  return Object.assign(err, { returnCode }) as ConnackRefusal;
}
