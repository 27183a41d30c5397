// How a failed connection attempt or a lost connection maps to a status cause (§1.2) and what the
// client does next (§2.1.3): auth refusals count toward a limit, identifier/protocol refusals stop at
// once, everything else is retried forever. Pure, so it is tested without a broker.
import { ConnectionCauses, type ConnectionCause } from '@ledge/shared/model-edge';
import { cloudConnectionError, cloudRefusedError } from './errors';
import type { LedgeError } from '@ledge/shared/util';

export type FailureAction = 'retry' | 'auth' | 'stop';

export interface ClassifiedFailure {
  readonly cause: ConnectionCause;
  readonly action: FailureAction;
  readonly error: LedgeError;
}

// MQTT 3.1.1 CONNACK return codes (§3.2.2.3) and the MQTT 5 reason codes with the same meaning.
const REFUSALS: Readonly<Record<number, { reason: string; action: FailureAction }>> = Object.freeze({
  1: { reason: 'unacceptable protocol version', action: 'stop' },
  2: { reason: 'identifier rejected', action: 'stop' },
  3: { reason: 'server unavailable', action: 'retry' },
  4: { reason: 'bad user name or password', action: 'auth' },
  5: { reason: 'not authorised', action: 'auth' },
  0x84: { reason: 'unsupported protocol version', action: 'stop' },
  0x85: { reason: 'client identifier not valid', action: 'stop' },
  0x86: { reason: 'bad user name or password', action: 'auth' },
  0x87: { reason: 'not authorised', action: 'auth' },
  0x8c: { reason: 'bad authentication method', action: 'auth' },
});

/**
 * `err` is what MQTT.js reported last for the attempt (undefined: the connection just closed).
 * CONNACK 4 and 5 both count as CONNECTION_NOT_AUTHENTICATED: Mosquitto answers a wrong password with 5
 * ("not authorised") in MQTT 3.1.1, and Hono with 4 or 5 depending on the adapter version.
 */
export function classifyFailure(err: Error | undefined, connackReceived: boolean): ClassifiedFailure {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && !connackReceived) {
    const r = REFUSALS[code];
    const error = cloudRefusedError(code, r?.reason ?? 'refused', err);
    if (r === undefined) return { cause: ConnectionCauses.CONNECTION_ERROR, action: 'retry', error };
    return { cause: r.action === 'auth' ? ConnectionCauses.CONNECTION_NOT_AUTHENTICATED : ConnectionCauses.CONNECTION_ERROR, action: r.action, error };
  }
  const errno = typeof code === 'string' ? code : undefined;
  return {
    cause: ConnectionCauses.CONNECTION_ERROR,
    action: 'retry',
    error: cloudConnectionError(err?.message ?? 'connection closed', err, errno),
  };
}
