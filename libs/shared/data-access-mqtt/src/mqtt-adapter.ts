// The narrow slice of MQTT.js the local-bus client uses. Everything MQTT.js-specific sits behind
// MqttClientLike, so unit tests inject a fake and no MQTT.js type leaks into the public interface.
import { connect as mqttJsConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { QoS } from './types';

export interface MqttClientEvents {
  /** CONNACK with return code 0. */
  connect: [connack: { sessionPresent: boolean }];
  /** The current network connection ended (or an attempt failed). */
  close: [];
  error: [err: Error];
  message: [topic: string, payload: Buffer, packet: { qos: number; retain: boolean; dup: boolean }];
}

export interface MqttGrant {
  topic: string;
  qos: number;
}

export interface MqttClientLike {
  readonly connected: boolean;
  on<K extends keyof MqttClientEvents>(event: K, listener: (...args: MqttClientEvents[K]) => void): void;
  /** Opens a new network connection after 'close', keeping the outgoing store (queued QoS 1/2). */
  connect(): void;
  /** Sets TCP_NODELAY on the current stream; false when the stream is not a TCP/TLS socket. */
  setNoDelay(): boolean;
  publish(topic: string, payload: Buffer, options: { qos: QoS; retain: boolean }, callback: (err?: Error) => void): void;
  subscribe(subscriptions: Record<string, { qos: QoS }>, callback: (err: Error | null, granted?: MqttGrant[]) => void): void;
  unsubscribe(filters: string[], callback: (err?: Error) => void): void;
  /** force false: waits for in-flight QoS>0 (only while connected), sends DISCONNECT. */
  end(force: boolean, callback: (err?: Error) => void): void;
}

export type MqttConnect = (url: string, options: IClientOptions) => MqttClientLike;

/** Wraps an MQTT.js client. */
export function adaptMqttClient(client: MqttClient): MqttClientLike {
  return {
    get connected() {
      return client.connected;
    },
    on(event, listener) {
      client.on(event, listener as never);
    },
    connect() {
      // Not client.reconnect(): that replaces the outgoing store and would lose queued QoS 1/2 publishes.
      client.connect();
    },
    setNoDelay() {
      // MQTT.js has no option for TCP_NODELAY. The stream is created synchronously by connect(), so this
      // runs before the socket is connected; Node keeps the flag and applies it to the new socket.
      const stream = client.stream as unknown as { setNoDelay?: (on: boolean) => unknown } | undefined;
      if (typeof stream?.setNoDelay !== 'function') return false;
      stream.setNoDelay(true);
      return true;
    },
    publish(topic, payload, options, callback) {
      client.publish(topic, payload, options, (err) => callback(err));
    },
    subscribe(subscriptions, callback) {
      client.subscribe(subscriptions, (err, granted, packet) => {
        // A SUBACK with a failure code (0x80, or a v5 reason code ≥ 0x80) arrives as an error carrying the
        // packet; turn it back into per-filter codes so the caller sees which filter was refused.
        const suback = (packet ?? (err as { packet?: unknown } | null)?.packet) as { granted?: unknown[] } | undefined;
        const codes = suback?.granted;
        if (granted && Array.isArray(codes) && codes.length === granted.length) {
          callback(
            null,
            granted.map((g, i) => {
              const code = codes[i];
              return { topic: g.topic, qos: typeof code === 'number' ? code : g.qos };
            }),
          );
          return;
        }
        callback(err, granted?.map((g) => ({ topic: g.topic, qos: g.qos })));
      });
    },
    unsubscribe(filters, callback) {
      client.unsubscribe(filters, (err) => callback(err));
    },
    end(force, callback) {
      client.end(force, {}, callback);
    },
  };
}

/** The default factory: MQTT.js connect (starts the first connection attempt at once). */
export const defaultMqttConnect: MqttConnect = (url, options) => adaptMqttClient(mqttJsConnect(url, options));
