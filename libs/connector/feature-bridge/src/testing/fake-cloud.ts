// A CloudClient the test drives: it connects, drops and acknowledges when told. Like the real client
// (@ledge/connector/data-access-cloud-mqtt), publish rejects at once while offline and a dropped connection fails
// every publish still waiting for its PUBACK, and a throwing listener is logged, never thrown back at
// the test's connect()/drop()/deliver() (util's TypedEmitter, as in the real client).
import type { CloudClient, CloudClientEvents, CloudQoS } from '@ledge/connector/data-access-cloud-mqtt';
import { ConnectionCauses, type ConnectionCause } from '@ledge/shared/model-edge';
import { createLogger, TypedEmitter, UnavailableError, type Logger } from '@ledge/shared/util';

export interface FakeCloudPublish {
  readonly topic: string;
  readonly payload: string;
  readonly qos: CloudQoS;
}

export interface FakeCloud extends CloudClient {
  /** Every publish the bridge made while connected, in call order. */
  readonly published: FakeCloudPublish[];
  readonly subscriptions: Set<string>;
  /** Publishes waiting for their PUBACK. */
  readonly unacked: number;
  /** false: PUBACKs wait for ack(); true (default): each publish is acknowledged on the next microtask. */
  autoAck: boolean;
  /** CONNACK: emits `connected`. */
  connect(): void;
  /** The connection ends: waiting publishes fail, `disconnected` with `cause`. */
  drop(cause?: ConnectionCause): void;
  /** Acknowledges the oldest `n` waiting publishes (all by default). */
  ack(n?: number): void;
  /** A PUBLISH from the cloud. */
  deliver(topic: string, payload: string | Buffer, qos?: CloudQoS): void;
}

const unavailable = (message: string) => new UnavailableError('LEDGE_TEST_CLOUD_OFFLINE', message);

export function createFakeCloud(options: { logger?: Logger } = {}): FakeCloud {
  const logger = (options.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'fake-cloud' });
  const events = new TypedEmitter<CloudClientEvents>((err, event) => logger.error({ err, event }, 'cloud event listener failed'));
  const published: FakeCloudPublish[] = [];
  const subscriptions = new Set<string>();
  const waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let connected = false;
  let stopped = false;
  let connects = 0;
  let autoAck = true;

  const failWaiting = (message: string) => {
    for (const w of waiting.splice(0)) w.reject(unavailable(message));
  };

  const api = {
    published,
    subscriptions,
    get autoAck() {
      return autoAck;
    },
    set autoAck(value: boolean) {
      autoAck = value;
    },
    get unacked() {
      return waiting.length;
    },
    get connected() {
      return connected;
    },
    get stopped() {
      return stopped;
    },
    start() {},
    publish(topic: string, payload: Buffer, qos: CloudQoS): Promise<void> {
      if (!connected) return Promise.reject(unavailable('not connected'));
      published.push({ topic, payload: payload.toString(), qos });
      if (qos === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting.push({ resolve, reject });
        if (autoAck) queueMicrotask(() => api.ack(1));
      });
    },
    async subscribe(filter: string) {
      subscriptions.add(filter);
    },
    async unsubscribe(filter: string) {
      subscriptions.delete(filter);
    },
    stats: () => ({ connects, failedAttempts: 0, inFlight: waiting.length, published: published.length }),
    async close() {
      stopped = true;
      const was = connected;
      connected = false;
      failWaiting('client closed');
      if (was) events.emit('disconnected', { cause: ConnectionCauses.CONNECTION_CLOSED, error: unavailable('client closed'), wasConnected: true });
    },
    connect() {
      connected = true;
      connects++;
      events.emit('connected', { sessionPresent: false });
    },
    drop(cause: ConnectionCause = ConnectionCauses.CONNECTION_ERROR) {
      connected = false;
      failWaiting('connection lost');
      events.emit('disconnected', { cause, error: unavailable('connection lost'), wasConnected: true });
    },
    ack(n = waiting.length) {
      for (const w of waiting.splice(0, n)) w.resolve();
    },
    deliver(topic: string, payload: string | Buffer, qos: CloudQoS = 1) {
      events.emit('message', { topic, payload: Buffer.from(payload), qos });
    },
  };
  return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as unknown as FakeCloud;
}
