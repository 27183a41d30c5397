// A scripted stand-in for MQTT.js (MqttClientLike) for this lib's own unit tests: the test decides when
// a connection attempt succeeds, fails or drops, and what the broker acknowledges. Not exported.
import { EventEmitter } from 'node:events';
import type { IClientOptions } from 'mqtt';
import type { MqttClientEvents, MqttClientLike, MqttConnect, MqttGrant } from '../mqtt-adapter';
import type { QoS } from '../types';

export interface FakePublish {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  callback: (err?: Error) => void;
}

export class FakeMqttClient implements MqttClientLike {
  connected = false;
  /** Connection attempts: 1 for mqtt.connect itself, +1 per connect(). */
  attempts = 1;
  noDelayCalls = 0;
  readonly published: FakePublish[] = [];
  readonly subscribes: Record<string, { qos: QoS }>[] = [];
  readonly unsubscribes: string[][] = [];
  readonly ends: boolean[] = [];
  /** Filters the broker refuses (SUBACK 0x80). */
  readonly refuse = new Set<string>();
  /** Ack QoS>0 publishes at once while connected. */
  autoAck = true;
  readonly #events = new EventEmitter();
  readonly #held: FakePublish[] = [];

  constructor(
    readonly url: string,
    readonly options: IClientOptions,
  ) {}

  on<K extends keyof MqttClientEvents>(event: K, listener: (...args: MqttClientEvents[K]) => void): void {
    this.#events.on(event, listener as (...args: unknown[]) => void);
  }

  connect(): void {
    this.attempts++;
  }

  setNoDelay(): boolean {
    this.noDelayCalls++;
    return true;
  }

  publish(topic: string, payload: Buffer, options: { qos: QoS; retain: boolean }, callback: (err?: Error) => void): void {
    const p = { topic, payload, ...options, callback };
    this.published.push(p);
    if (p.qos === 0) {
      if (this.connected) queueMicrotask(() => callback());
      else queueMicrotask(() => callback(new Error('No connection to broker')));
    } else if (this.connected && this.autoAck) queueMicrotask(() => callback());
    else this.#held.push(p); // MQTT.js's outgoing store
  }

  subscribe(subscriptions: Record<string, { qos: QoS }>, callback: (err: Error | null, granted?: MqttGrant[]) => void): void {
    this.subscribes.push(subscriptions);
    const granted = Object.entries(subscriptions).map(([topic, o]) => ({ topic, qos: this.refuse.has(topic) ? 0x80 : o.qos }));
    queueMicrotask(() => (this.connected ? callback(null, granted) : callback(new Error('Connection closed'))));
  }

  unsubscribe(filters: string[], callback: (err?: Error) => void): void {
    this.unsubscribes.push(filters);
    queueMicrotask(() => callback());
  }

  end(force: boolean, callback: (err?: Error) => void): void {
    this.ends.push(force);
    const was = this.connected;
    this.connected = false;
    queueMicrotask(() => {
      if (was) this.#events.emit('close');
      callback();
    });
  }

  // ---- test controls ----

  /** CONNACK 0 for the current attempt; flushes held QoS>0 publishes (as MQTT.js resends its store). */
  accept(sessionPresent = false): void {
    this.connected = true;
    for (const p of this.#held.splice(0)) queueMicrotask(() => p.callback());
    this.#events.emit('connect', { sessionPresent });
  }

  /** The current attempt fails (e.g. ECONNREFUSED). */
  fail(err: Error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1883'), { code: 'ECONNREFUSED' })): void {
    this.#events.emit('error', err);
    this.#events.emit('close');
  }

  /** The established connection drops. */
  drop(message?: string): void {
    this.connected = false;
    if (message) this.#events.emit('error', new Error(message));
    this.#events.emit('close');
  }

  deliver(topic: string, payload: string | Buffer, opts: { qos?: QoS; retain?: boolean } = {}): void {
    this.#events.emit('message', topic, Buffer.from(payload), { qos: opts.qos ?? 0, retain: opts.retain ?? false, dup: false });
  }

  /** Acks every held QoS>0 publish. */
  ackAll(): void {
    for (const p of this.#held.splice(0)) p.callback();
  }
}

export function createFakeConnect(): { connect: MqttConnect; clients: FakeMqttClient[]; last(): FakeMqttClient } {
  const clients: FakeMqttClient[] = [];
  return {
    clients,
    connect: (url, options) => {
      const c = new FakeMqttClient(url, options);
      clients.push(c);
      return c;
    },
    last() {
      const c = clients.at(-1);
      if (!c) throw new Error('connect was not called');
      return c;
    },
  };
}
