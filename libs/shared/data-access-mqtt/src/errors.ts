// Errors of the local-bus client (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. MQTT.js errors are translated here, once, at the boundary; protocol errors keep the
// MQTT reason code in `details.reasonCode`.
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, formatMessage, type LedgeError } from '@ledge/shared/util';

export const MqttErrorCodes = Object.freeze({
  /** The client (or a watcher) was closed; the operation cannot complete. */
  CLOSED: 'LEDGE_MQTT_CLOSED',
  /** publish() before start(). */
  NOT_STARTED: 'LEDGE_MQTT_NOT_STARTED',
  /** Bad option values (e.g. clean: false without a clientId). */
  INVALID_OPTIONS: 'LEDGE_MQTT_INVALID_OPTIONS',
  /** A topic name for publish contains wildcards, is empty or too long. */
  INVALID_TOPIC: 'LEDGE_MQTT_INVALID_TOPIC',
  /** A topic filter is malformed ([MQTT-4.7.1-2], [MQTT-4.7.1-3]). */
  INVALID_FILTER: 'LEDGE_MQTT_INVALID_FILTER',
  /** A QoS>0 publish failed or was interrupted before its PUBACK/PUBCOMP. */
  PUBLISH_FAILED: 'LEDGE_MQTT_PUBLISH_FAILED',
  /** The broker answered a SUBSCRIBE with 0x80 (failure) for a filter. */
  SUBSCRIBE_REFUSED: 'LEDGE_MQTT_SUBSCRIBE_REFUSED',
  /** The broker refused the connection (CONNACK return code ≠ 0). */
  CONNECTION_REFUSED: 'LEDGE_MQTT_CONNECTION_REFUSED',
  /** A network-level connection failure (refused socket, reset, keepalive or CONNACK timeout). */
  CONNECTION_FAILED: 'LEDGE_MQTT_CONNECTION_FAILED',
} as const);
export type MqttErrorCode = (typeof MqttErrorCodes)[keyof typeof MqttErrorCodes];

const messages: Readonly<Record<MqttErrorCode, string>> = Object.freeze({
  LEDGE_MQTT_CLOSED: '{what} is closed',
  LEDGE_MQTT_NOT_STARTED: 'local bus client not started: call start() first',
  LEDGE_MQTT_INVALID_OPTIONS: 'invalid local bus options: {problem}',
  LEDGE_MQTT_INVALID_TOPIC: 'invalid topic name "{topic}"',
  LEDGE_MQTT_INVALID_FILTER: 'invalid topic filter "{filter}"',
  LEDGE_MQTT_PUBLISH_FAILED: 'publish to "{topic}" failed: {reason}',
  LEDGE_MQTT_SUBSCRIBE_REFUSED: 'broker refused subscription to "{filter}"',
  LEDGE_MQTT_CONNECTION_REFUSED: 'broker refused the connection: {reason}',
  LEDGE_MQTT_CONNECTION_FAILED: 'connection to the local broker failed: {reason}',
});

function message(code: MqttErrorCode, values: Record<string, unknown> = {}): string {
  return formatMessage(messages[code], values);
}

export function closedError(what = 'local bus client'): LedgeError {
  return new FailedPreconditionError(MqttErrorCodes.CLOSED, message(MqttErrorCodes.CLOSED, { what }));
}

export function notStartedError(): LedgeError {
  return new FailedPreconditionError(MqttErrorCodes.NOT_STARTED, message(MqttErrorCodes.NOT_STARTED));
}

export function invalidOptionsError(problem: string): LedgeError {
  return new InvalidArgumentError(MqttErrorCodes.INVALID_OPTIONS, message(MqttErrorCodes.INVALID_OPTIONS, { problem }));
}

export function invalidTopicError(topic: string): LedgeError {
  return new InvalidArgumentError(MqttErrorCodes.INVALID_TOPIC, message(MqttErrorCodes.INVALID_TOPIC, { topic }), { details: { topic } });
}

export function invalidFilterError(filter: string): LedgeError {
  return new InvalidArgumentError(MqttErrorCodes.INVALID_FILTER, message(MqttErrorCodes.INVALID_FILTER, { filter }), { details: { filter } });
}

export function publishFailedError(topic: string, cause: unknown): LedgeError {
  const reason = errorText(cause);
  return new UnavailableError(MqttErrorCodes.PUBLISH_FAILED, message(MqttErrorCodes.PUBLISH_FAILED, { topic, reason }), {
    cause,
    details: { topic, ...reasonCodeOf(cause) },
  });
}

export function subscribeRefusedError(filter: string, reasonCode: number): LedgeError {
  return new UnavailableError(MqttErrorCodes.SUBSCRIBE_REFUSED, message(MqttErrorCodes.SUBSCRIBE_REFUSED, { filter }), {
    details: { filter, reasonCode },
  });
}

/** Translates an MQTT.js connection-level error: CONNACK refusals keep their return code. */
export function connectionError(cause: unknown): LedgeError {
  const reason = errorText(cause);
  const rc = reasonCodeOf(cause);
  if (rc.reasonCode !== undefined && /refused/i.test(reason)) {
    return new UnavailableError(MqttErrorCodes.CONNECTION_REFUSED, message(MqttErrorCodes.CONNECTION_REFUSED, { reason }), { cause, details: rc });
  }
  const errno = typeof (cause as { code?: unknown } | null)?.code === 'string' ? { errno: (cause as { code: string }).code } : {};
  return new UnavailableError(MqttErrorCodes.CONNECTION_FAILED, message(MqttErrorCodes.CONNECTION_FAILED, { reason }), {
    cause,
    details: { ...errno },
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function reasonCodeOf(err: unknown): { reasonCode?: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? { reasonCode: code } : {};
}
