// The `cause` values of the connection status (§1.2), spelled exactly.

export const ConnectionCauses = Object.freeze({
  /** The provisioning-file watcher could not start. */
  CONFIG_ERROR: 'CONFIG_ERROR',
  /** Provisioning file present but unparsable/invalid. */
  PROVISIONING_ERROR: 'PROVISIONING_ERROR',
  /** Connector re-launched after the provisioning file changed. */
  PROVISIONING_UPDATE: 'PROVISIONING_UPDATE',
  /** No provisioning file and the config lacks device/tenant. */
  PROVISIONING_MISSING: 'PROVISIONING_MISSING',
  /** Bridge stopped / shut down. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The Last Will. */
  CONNECTION_UNKNOWN: 'CONNECTION_UNKNOWN',
  /** Network error or CONNACK refused (identifier rejected, bad protocol version, not authorised, other). */
  CONNECTION_ERROR: 'CONNECTION_ERROR',
  /** CONNACK "bad username or password". */
  CONNECTION_NOT_AUTHENTICATED: 'CONNECTION_NOT_AUTHENTICATED',
} as const);

export type ConnectionCause = (typeof ConnectionCauses)[keyof typeof ConnectionCauses];

export function isConnectionCause(value: unknown): value is ConnectionCause {
  return typeof value === 'string' && Object.hasOwn(ConnectionCauses, value);
}
