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
  /**
   * Optional (the MQTT.js adapter has it): hold the PUBACK of every received QoS 1 PUBLISH until
   * `gate(packet)` resolves; PUBACKs still go out in receive order [MQTT-4.6.0-2]. A rejection drops the
   * connection without that PUBACK, so the broker redelivers the message.
   */
  gateAcks?(gate: IncomingGate, onReject: (err: unknown) => void): void;
}

/** Called for every received PUBLISH; for QoS 1 the PUBACK waits for the returned promise. */
export type IncomingGate = (packet: { topic: string; payload: Buffer; qos: number; retain: boolean; dup: boolean }) => Promise<void> | void;

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
    gateAcks(gate, onReject) {
      installAckGate(client, gate, onReject);
    },
  };
}

interface AckGateEntry {
  readonly stream: unknown;
  readonly messageId: number;
  settled: boolean;
  failed: boolean;
  puback?: { packet: unknown; send: boolean };
}

/**
 * MQTT.js handles received packets one at a time and sends the PUBACK when `handleMessage` calls back,
 * so a PUBACK that waits for a disk write would serialise every message behind one fsync. Instead the
 * message is handed to `gate` and MQTT.js goes on at once; its PUBACK is held back (in receive order)
 * until the gate's promise resolves, so many messages share one group commit. Uses MQTT.js's
 * `handleMessage` (public, "override at will") and its private `_sendPacket` (checked by the tests).
 */
function installAckGate(client: MqttClient, gate: IncomingGate, onReject: (err: unknown) => void): void {
  const c = client as unknown as {
    handleMessage: (packet: { cmd: string; qos: number; messageId?: number; topic: string; payload: Buffer | string; retain: boolean; dup: boolean }, cb: (err?: Error) => void) => void;
    _sendPacket: (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;
    stream: unknown;
  };
  const send = c._sendPacket.bind(client);
  if (typeof send !== 'function') throw new Error('MQTT.js without _sendPacket: cannot gate acknowledgements');
  const queue: AckGateEntry[] = [];
  const byId = new Map<number, AckGateEntry>();
  const release = () => {
    while (queue.length > 0) {
      const head = queue[0]!;
      if (!head.settled || head.puback === undefined) return;
      queue.shift();
      if (byId.get(head.messageId) === head) byId.delete(head.messageId);
      // A PUBACK for a message of an earlier connection would acknowledge something else: skip it
      // (the broker redelivers that message on the new connection).
      if (head.stream !== c.stream || head.failed || !client.connected) continue;
      send(head.puback.packet as { cmd: string });
    }
  };
  c.handleMessage = (packet, cb) => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    let result: Promise<void> | void;
    try {
      result = gate({ topic: packet.topic, payload, qos: packet.qos, retain: packet.retain === true, dup: packet.dup === true });
    } catch (err) {
      result = Promise.reject(err);
    }
    if (packet.qos === 1 && packet.messageId !== undefined) {
      const entry: AckGateEntry = { stream: c.stream, messageId: packet.messageId, settled: false, failed: false };
      queue.push(entry);
      byId.set(packet.messageId, entry);
      Promise.resolve(result).then(
        () => {
          entry.settled = true;
          release();
        },
        (err: unknown) => {
          entry.settled = true;
          entry.failed = true;
          onReject(err);
          if (entry.stream === c.stream) (c.stream as { destroy?: () => void } | undefined)?.destroy?.();
          release();
        },
      );
    } else if (result !== undefined) {
      Promise.resolve(result).catch(onReject);
    }
    cb();
  };
  c._sendPacket = (packet, cb, ...rest) => {
    const entry = packet.cmd === 'puback' && packet.messageId !== undefined ? byId.get(packet.messageId) : undefined;
    if (entry === undefined || entry.puback !== undefined) {
      send(packet, cb, ...rest);
      return;
    }
    entry.puback = { packet, send: true };
    // Let MQTT.js parse the next packet now; the PUBACK follows once the gate resolves.
    cb?.();
    release();
  };
}

/** The default factory: MQTT.js connect (starts the first connection attempt at once). */
export const defaultMqttConnect: MqttConnect = (url, options) => adaptMqttClient(mqttJsConnect(url, options));
