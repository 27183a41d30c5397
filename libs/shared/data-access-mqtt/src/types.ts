// The local-bus client interface: implemented by the MQTT.js-backed client (local-bus-client.ts) and
// by the in-memory fake in `@ledge/shared/data-access-mqtt/testing`; both pass the same contract suite.
import type { EventSource } from '@ledge/shared/util';

export type QoS = 0 | 1 | 2;

/** What you may publish: strings are sent as UTF-8. */
export type Payload = string | Buffer | Uint8Array;

/** A received PUBLISH, normalised (no MQTT.js types leak out of this lib). */
export interface BusPacket {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  /** True for a retained message delivered because of a new subscription [MQTT-3.3.1-8]. */
  readonly retain: boolean;
  readonly dup: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, packet: BusPacket) => void | Promise<void>;

export interface PublishOptions {
  /** Default 0. */
  qos?: QoS;
  /** Default false. */
  retain?: boolean;
}

export interface SubscribeOptions {
  /** Maximum QoS requested; default 0. */
  qos?: QoS;
}

export interface ConnectedInfo {
  /** CONNACK session-present flag: the broker kept the session (only with clean: false). */
  readonly sessionPresent: boolean;
}

export interface DisconnectedInfo {
  /** Why the connection ended, e.g. "connect ECONNREFUSED 127.0.0.1:1883", "client closed". */
  readonly reason: string;
  readonly error?: Error;
}

export interface ReconnectingInfo {
  /** 1 for the first retry after a failure, growing until a connection succeeds. */
  readonly attempt: number;
  /** How long the client waits before this attempt. */
  readonly delayMs: number;
}

export interface LocalBusEvents {
  connected: [info: ConnectedInfo];
  disconnected: [info: DisconnectedInfo];
  reconnecting: [info: ReconnectingInfo];
  message: [topic: string, payload: Buffer, packet: BusPacket];
  /** Connection and protocol errors (already logged); emitted only when someone listens. */
  error: [err: Error];
}

export interface LocalBusStats {
  /** QoS 0 publishes dropped because the client was offline. */
  readonly droppedQos0: number;
  /** Publishes waiting for their callback (written, or PUBACK/PUBCOMP pending, or queued offline). */
  readonly inFlight: number;
  /** Successful connections so far (the first one included). */
  readonly connects: number;
}

export interface LocalBusClient extends EventSource<LocalBusEvents> {
  readonly clientId: string;
  /** True between CONNACK and the connection's end. */
  readonly connected: boolean;
  /** Starts connecting (and keeps reconnecting); resolves at once, without waiting for the broker. */
  start(): Promise<void>;
  /** Resolves when connected (at once if already); rejects with LEDGE_MQTT_CLOSED on close or when `signal` aborts. */
  waitForConnection(signal?: AbortSignal): Promise<void>;
  /**
   * QoS 0: resolves once written; while offline the message is dropped and counted (stats().droppedQos0).
   * QoS 1/2: resolves on PUBACK/PUBCOMP; while offline it is queued (MQTT.js outgoing store, in memory)
   * and sent after the reconnect.
   */
  publish(topic: string, payload: Payload, options?: PublishOptions): Promise<void>;
  /**
   * Registers the filters (reference counted) and subscribes; they are re-subscribed after every
   * reconnect that lost the session. Resolves on SUBACK, or at once while offline.
   */
  subscribe(filters: string | readonly string[], options?: SubscribeOptions): Promise<void>;
  /** Drops one reference per filter; the UNSUBSCRIBE is sent when the last reference goes. */
  unsubscribe(filters: string | readonly string[]): Promise<void>;
  /**
   * Calls `handler` for every received message whose topic matches `filter` (MQTT wildcard rules).
   * Does not subscribe. A throwing/rejecting handler is logged and never affects others. Returns a
   * function that removes the handler.
   */
  onMessage(filter: string, handler: MessageHandler): () => void;
  stats(): LocalBusStats;
  /** Idempotent: waits (bounded) for in-flight publishes, sends DISCONNECT, stops reconnecting. */
  close(): Promise<void>;
}
