// Options of the local-bus client: one frozen default object (STYLE.md "Options objects"), resolved
// once, and translated to MQTT.js options in one pure function (tested without a broker).
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import type { BackoffOptions, Logger } from '@ledge/shared/util';
import { isValidTopicName } from '@ledge/shared/model-mqtt';
import { invalidOptionsError, invalidTopicError } from './errors';
import type { MqttConnect } from './mqtt-adapter';
import type { BusPacket, Payload, QoS } from './types';

export interface LocalBusWill {
  topic: string;
  payload: Payload;
  qos?: QoS;
  retain?: boolean;
}

export interface LocalBusOptions {
  /** `mqtt://host:port`, `mqtts://…` (TLS), `ws://…`, `wss://…` or `mqtt+unix:///path` (Kanto's tcp/ssl/tls names: toClientUrl). */
  url: string;
  /** Default `ledge-<8 hex>`; required (and stable) with `clean: false`. */
  clientId?: string;
  username?: string;
  password?: string;
  /** TLS (mqtts://): PEM strings or buffers. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  /** Clean session (MQTT 3.1.1 §3.1.2.4). false keeps subscriptions and QoS 1/2 queues on the broker. */
  clean: boolean;
  /** Last Will, published by the broker when the connection is lost without DISCONNECT. */
  will?: LocalBusWill;
  keepaliveSeconds: number;
  /** CONNACK wait per attempt. */
  connectTimeoutMs: number;
  /** close() waits this long for in-flight publishes before dropping the connection. */
  closeTimeoutMs: number;
  /** 4 = MQTT 3.1.1 (what Kanto speaks), 5 = MQTT 5. */
  protocolVersion: 4 | 5;
  /** Reconnect delays: capped exponential with ±jitter (createBackoff from @ledge/shared/util). */
  backoff: BackoffOptions;
  logger?: Logger;
  /** The `component` of its log lines; default `local-bus` (the app's own connection). */
  logComponent?: string;
  /** Connection factory; default MQTT.js `connect`. Unit tests inject a fake. */
  connect?: MqttConnect;
  /**
   * Called with every received PUBLISH before the message handlers. For QoS 1 the PUBACK is sent only
   * once the returned promise resolves (still in receive order); a rejection drops the connection
   * without acknowledging, so the broker delivers the message again. Used by the connector to persist
   * messages before the local broker considers them delivered. Needs a connection factory whose client
   * supports `gateAcks` (MQTT.js does).
   */
  handleIncoming?: (packet: BusPacket) => Promise<void> | void;
}

/** What createLocalBusClient accepts: any subset of the options. */
export type LocalBusClientOptions = Partial<Omit<LocalBusOptions, 'backoff'>> & { backoff?: Partial<BackoffOptions> };

export type ResolvedLocalBusOptions = LocalBusOptions & { clientId: string };

export const defaultLocalBusOptions: Readonly<Omit<LocalBusOptions, 'backoff'> & { backoff: Readonly<BackoffOptions> }> = Object.freeze({
  url: 'mqtt://127.0.0.1:1883',
  rejectUnauthorized: true,
  clean: true,
  keepaliveSeconds: 30,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 5_000,
  protocolVersion: 4,
  backoff: Object.freeze({ initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.25 }),
});

export function resolveLocalBusOptions(options: LocalBusClientOptions = {}): ResolvedLocalBusOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as LocalBusClientOptions;
  const o = {
    ...defaultLocalBusOptions,
    ...defined,
    backoff: { ...defaultLocalBusOptions.backoff, ...options.backoff },
  };
  if (!o.clean && !o.clientId) throw invalidOptionsError('clean: false needs a stable clientId');
  if (!/^((mqtts?|tcp|ssl|tls)(\+unix)?|wss?):\/\//.test(o.url)) throw invalidOptionsError(`unsupported url "${o.url}"`);
  if (!(o.keepaliveSeconds >= 0 && o.keepaliveSeconds <= 65_535)) throw invalidOptionsError('keepaliveSeconds must be 0…65535');
  const b = o.backoff;
  if (!(b.initialMs > 0 && b.maxMs >= b.initialMs && b.multiplier >= 1 && b.jitter >= 0 && b.jitter < 1)) {
    throw invalidOptionsError('backoff needs 0 < initialMs ≤ maxMs, multiplier ≥ 1, 0 ≤ jitter < 1');
  }
  if (o.will && !isValidTopicName(o.will.topic)) throw invalidTopicError(o.will.topic);
  return { ...o, clientId: o.clientId ?? `ledge-${randomBytes(4).toString('hex')}` };
}

/**
 * MQTT.js options. Its own reconnect timer is disabled (reconnectPeriod 0): it retries at a fixed period,
 * and the client schedules reconnects itself with growing delays. Its resubscribe is off (the client
 * tracks subscriptions). queueQoSZero is off: QoS 0 while offline is dropped, not replayed late.
 */
export function toMqttOptions(o: ResolvedLocalBusOptions): IClientOptions {
  const mqtt: IClientOptions = {
    clientId: o.clientId,
    clean: o.clean,
    keepalive: o.keepaliveSeconds,
    connectTimeout: o.connectTimeoutMs,
    protocolVersion: o.protocolVersion,
    reconnectPeriod: 0,
    // mqtt-packet's packet-id cache is 65,536 pre-made Buffers (~6 MB of heap per process); a 2-byte
    // allocation per QoS>0 packet is cheaper than that on a gateway.
    writeCache: false,
    resubscribe: false,
    queueQoSZero: false,
    rejectUnauthorized: o.rejectUnauthorized,
  };
  if (o.username !== undefined) mqtt.username = o.username;
  if (o.password !== undefined) mqtt.password = o.password;
  if (o.ca !== undefined) mqtt.ca = o.ca;
  if (o.cert !== undefined) mqtt.cert = o.cert;
  if (o.key !== undefined) mqtt.key = o.key;
  if (o.will) {
    mqtt.will = { topic: o.will.topic, payload: toBuffer(o.will.payload), qos: o.will.qos ?? 0, retain: o.will.retain ?? false };
  }
  return mqtt;
}

export function toBuffer(payload: Payload): Buffer {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
