// Errors of the local-bus client (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. MQTT.js errors are translated here, once, at the boundary; protocol errors keep the
// MQTT reason code in `details.reasonCode`.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const MqttErrors = defineErrors({
  /** The client (or a watcher) was closed; the operation cannot complete. */
  CLOSED: { code: 'LEDGE_MQTT_CLOSED', kind: 'FailedPrecondition', message: '{what} is closed' },
  /** publish() before start(). */
  NOT_STARTED: { code: 'LEDGE_MQTT_NOT_STARTED', kind: 'FailedPrecondition', message: 'local bus client not started: call start() first' },
  /** Bad option values (e.g. clean: false without a clientId). */
  INVALID_OPTIONS: { code: 'LEDGE_MQTT_INVALID_OPTIONS', kind: 'InvalidArgument', message: 'invalid local bus options: {problem}' },
  /** A topic name for publish contains wildcards, is empty or too long. */
  INVALID_TOPIC: { code: 'LEDGE_MQTT_INVALID_TOPIC', kind: 'InvalidArgument', message: 'invalid topic name "{topic}"' },
  /** A topic filter is malformed ([MQTT-4.7.1-2], [MQTT-4.7.1-3]). */
  INVALID_FILTER: { code: 'LEDGE_MQTT_INVALID_FILTER', kind: 'InvalidArgument', message: 'invalid topic filter "{filter}"' },
  /** A QoS>0 publish failed or was interrupted before its PUBACK/PUBCOMP. */
  PUBLISH_FAILED: { code: 'LEDGE_MQTT_PUBLISH_FAILED', kind: 'Unavailable', message: 'publish to "{topic}" failed: {reason}' },
  /** The broker answered a SUBSCRIBE with 0x80 (failure) for a filter. */
  SUBSCRIBE_REFUSED: { code: 'LEDGE_MQTT_SUBSCRIBE_REFUSED', kind: 'Unavailable', message: 'broker refused subscription to "{filter}"' },
  /** The broker refused the connection (CONNACK return code ≠ 0). */
  CONNECTION_REFUSED: { code: 'LEDGE_MQTT_CONNECTION_REFUSED', kind: 'Unavailable', message: 'broker refused the connection: {reason}' },
  /** A network-level connection failure (refused socket, reset, keepalive or CONNACK timeout). */
  CONNECTION_FAILED: { code: 'LEDGE_MQTT_CONNECTION_FAILED', kind: 'Unavailable', message: 'connection to the local broker failed: {reason}' },
});

export const MqttErrorCodes = MqttErrors.codes;
export type MqttErrorCode = (typeof MqttErrorCodes)[keyof typeof MqttErrorCodes];

export function closedError(what = 'local bus client'): LedgeError {
  return MqttErrors.create('CLOSED', { what });
}

export function notStartedError(): LedgeError {
  return MqttErrors.create('NOT_STARTED', {});
}

export function invalidOptionsError(problem: string): LedgeError {
  return MqttErrors.create('INVALID_OPTIONS', { problem });
}

export function invalidTopicError(topic: string): LedgeError {
  return MqttErrors.create('INVALID_TOPIC', { topic }, { details: { topic } });
}

export function invalidFilterError(filter: string): LedgeError {
  return MqttErrors.create('INVALID_FILTER', { filter }, { details: { filter } });
}

export function publishFailedError(topic: string, cause: unknown): LedgeError {
  return MqttErrors.create('PUBLISH_FAILED', { topic, reason: errorText(cause) }, { cause, details: { topic, ...reasonCodeOf(cause) } });
}

export function subscribeRefusedError(filter: string, reasonCode: number): LedgeError {
  return MqttErrors.create('SUBSCRIBE_REFUSED', { filter }, { details: { filter, reasonCode } });
}

/** Translates an MQTT.js connection-level error: CONNACK refusals keep their return code. */
export function connectionError(cause: unknown): LedgeError {
  const reason = errorText(cause);
  const rc = reasonCodeOf(cause);
  if (rc.reasonCode !== undefined && /refused/i.test(reason)) return MqttErrors.create('CONNECTION_REFUSED', { reason }, { cause, details: rc });
  const errno = typeof (cause as { code?: unknown } | null)?.code === 'string' ? { errno: (cause as { code: string }).code } : {};
  return MqttErrors.create('CONNECTION_FAILED', { reason }, { cause, details: { ...errno } });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function reasonCodeOf(err: unknown): { reasonCode?: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? { reasonCode: code } : {};
}
