// Errors of the broker (STYLE.md "Errors"): stable codes, message templates, containerd-style kinds.
// MQTT-level refusals keep the protocol's own code (CONNACK return code) in `details.returnCode`.
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, formatMessage } from '@ledge/shared/util';

export const BrokerErrorCodes = Object.freeze({
  /** A config value that passed the type check is still unusable (ACL rule, user entry, file). */
  CONFIG_INVALID: 'LEDGE_BROKER_CONFIG_INVALID',
  /** A listener could not bind (port in use, address not available). */
  LISTEN_FAILED: 'LEDGE_BROKER_LISTEN_FAILED',
  /** TLS was asked for but the certificate, key or CA could not be read. */
  TLS_FILES_UNREADABLE: 'LEDGE_BROKER_TLS_FILES_UNREADABLE',
  /** The persistence could not be opened (data directory not writable, corrupt journal). */
  PERSISTENCE_FAILED: 'LEDGE_BROKER_PERSISTENCE_FAILED',
  /** CONNECT refused: bad user name or password (CONNACK 4). */
  AUTH_BAD_CREDENTIALS: 'LEDGE_BROKER_AUTH_BAD_CREDENTIALS',
  /** CONNECT refused: anonymous access not allowed from this peer (CONNACK 5). */
  AUTH_NOT_AUTHORIZED: 'LEDGE_BROKER_AUTH_NOT_AUTHORIZED',
});

export type BrokerErrorCode = (typeof BrokerErrorCodes)[keyof typeof BrokerErrorCodes];

const templates: Record<BrokerErrorCode, string> = {
  LEDGE_BROKER_CONFIG_INVALID: 'broker config: {why}',
  LEDGE_BROKER_LISTEN_FAILED: 'cannot listen on {protocol} {host}:{port}: {why}',
  LEDGE_BROKER_TLS_FILES_UNREADABLE: 'cannot read TLS file {path}: {why}',
  LEDGE_BROKER_PERSISTENCE_FAILED: 'cannot open the broker persistence: {why}',
  LEDGE_BROKER_AUTH_BAD_CREDENTIALS: 'bad user name or password',
  LEDGE_BROKER_AUTH_NOT_AUTHORIZED: 'not authorized',
};

export function brokerConfigError(why: string, cause?: unknown): InvalidArgumentError {
  const code = BrokerErrorCodes.CONFIG_INVALID;
  return new InvalidArgumentError(code, formatMessage(templates[code], { why }), { cause, details: { why } });
}

export function listenError(protocol: string, host: string, port: number, cause: unknown): UnavailableError {
  const code = BrokerErrorCodes.LISTEN_FAILED;
  const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new UnavailableError(code, formatMessage(templates[code], { protocol, host, port, why }), { cause, details: { protocol, host, port } });
}

export function tlsFileError(path: string, cause: unknown): FailedPreconditionError {
  const code = BrokerErrorCodes.TLS_FILES_UNREADABLE;
  const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new FailedPreconditionError(code, formatMessage(templates[code], { path, why }), { cause, details: { path } });
}

export function persistenceError(cause: unknown): UnavailableError {
  const code = BrokerErrorCodes.PERSISTENCE_FAILED;
  return new UnavailableError(code, formatMessage(templates[code], { why: (cause as Error).message }), { cause });
}

/** The error aedes' authenticate callback takes: `returnCode` becomes the CONNACK return code. */
export interface ConnackRefusal extends Error {
  returnCode: 4 | 5;
  code: BrokerErrorCode;
}

export function connackRefusal(returnCode: 4 | 5): ConnackRefusal {
  const code = returnCode === 4 ? BrokerErrorCodes.AUTH_BAD_CREDENTIALS : BrokerErrorCodes.AUTH_NOT_AUTHORIZED;
  return Object.assign(new Error(templates[code]), { returnCode, code });
}
