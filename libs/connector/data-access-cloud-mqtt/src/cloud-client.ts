// The connector's one cloud MQTT connection (STYLE.md "Reconnect lives in data-access"): one MQTT.js
// client per attempt with its own reconnect off, capped exponential backoff with jitter between
// attempts, the status cause of §1.2 for every failure, the give-up rules of §2.1.3, subscriptions
// re-sent after every connect, TCP_NODELAY, and publish() resolving on PUBACK. Events go through util's
// TypedEmitter: they are emitted inside MQTT.js callbacks, where a throwing listener would otherwise
// reach MQTT.js (issue 22).
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import type { CloudCredentials } from '@ledge/connector/model-connector';
import { ConnectionCauses, type ConnectionCause } from '@ledge/shared/model-edge';
import { createBackoff, createLogger, onlyOnce, TypedEmitter, type EventSource, type LedgeError } from '@ledge/shared/util';
import { parseCloudAddress } from './address';
import { cloudConnectionError, cloudPublishError, cloudStoppedError } from './errors';
import { classifyFailure } from './failure';
import { resolveCloudClientOptions, toMqttJsOptions, type CloudClientInit } from './options';

export type CloudQoS = 0 | 1;

export interface CloudMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: CloudQoS;
}

export interface CloudClientEvents {
  connected: [info: { sessionPresent: boolean }];
  /**
   * A connection ended or an attempt failed; `cause` per §1.2. `renewal`: closed on purpose to present
   * fresh credentials (`renewAtMs`); the next attempt follows at once, without backoff.
   */
  disconnected: [info: { cause: ConnectionCause; error: LedgeError; wasConnected: boolean; renewal?: boolean }];
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** Gave up for good (authentication retries exhausted, identifier rejected, bad protocol). */
  stopped: [info: { cause: ConnectionCause; error: LedgeError }];
  message: [message: CloudMessage];
}

export interface CloudClientStats {
  readonly connects: number;
  readonly failedAttempts: number;
  readonly inFlight: number;
  readonly published: number;
}

export interface CloudClient extends EventSource<CloudClientEvents> {
  readonly connected: boolean;
  /** True once it gave up (see `stopped`) or was closed. */
  readonly stopped: boolean;
  /** Starts the first attempt at once; later ones follow the backoff. */
  start(): void;
  /** Resolves on PUBACK (QoS 1) or once written (QoS 0); rejects at once while not connected. */
  publish(topic: string, payload: Buffer, qos: CloudQoS): Promise<void>;
  /** Kept and re-subscribed after every connect; resolves on SUBACK (at once while offline). */
  subscribe(filter: string, qos: CloudQoS): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
  stats(): CloudClientStats;
  /** Idempotent: DISCONNECT (when connected), no more attempts. */
  close(): Promise<void>;
  /** For the owner that is about to close it (the bridge's detach). */
  removeAllListeners(): void;
}

export function createCloudClient(init: CloudClientInit): CloudClient {
  const o = resolveCloudClientOptions(init);
  const address = parseCloudAddress(o.address);
  const logger = (o.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'cloud-mqtt', clientId: o.clientId });
  const connectFn = o.connect ?? mqttConnect;
  const now = o.now ?? Date.now;
  const backoff = createBackoff(o.backoff);
  const events = new TypedEmitter<CloudClientEvents>((err, event) => logger.error({ err, event }, 'cloud event listener failed'));
  const subscriptions = new Map<string, CloudQoS>();
  let mc: MqttClient | undefined;
  let pending = new Set<(err: Error) => void>();
  let connected = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let renewing: MqttClient | undefined;
  let authFailures = 0;
  let connects = 0;
  let failedAttempts = 0;
  let published = 0;

  function attempt(): void {
    timer = undefined;
    if (stopped) return;
    logger.info({ url: address.url, attempt: backoff.attempts }, 'connecting');
    let creds: CloudCredentials | undefined;
    try {
      creds = o.credentials?.(now());
    } catch (err) {
      onFailure({ cause: ConnectionCauses.CONNECTION_ERROR, action: 'retry', error: cloudConnectionError(`no credentials: ${(err as Error).message}`, err) }, false);
      return;
    }
    const client = connectFn(address.url, toMqttJsOptions(o, address, creds));
    mc = client;
    let lastError: Error | undefined;
    let connack = false;
    let closed = false;
    const noDelay = () => (client.stream as unknown as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    noDelay();
    client.on('connect', (packet) => {
      if (stopped || mc !== client) return;
      connack = true;
      connected = true;
      connects++;
      authFailures = 0;
      backoff.reset();
      noDelay();
      resubscribe(client);
      if (creds?.renewAtMs !== undefined) scheduleRenewal(client, creds.renewAtMs);
      logger.info({ sessionPresent: packet.sessionPresent === true }, 'connected');
      events.emit('connected', { sessionPresent: packet.sessionPresent === true });
    });
    client.on('error', (err) => {
      lastError = err;
    });
    client.on('message', (topic, payload, packet) => {
      if (mc !== client) return;
      events.emit('message', { topic, payload, qos: packet.qos === 0 ? 0 : 1 });
    });
    client.on('close', () => {
      if (closed) return;
      closed = true;
      const wasConnected = connected && mc === client;
      if (mc === client) {
        connected = false;
        mc = undefined;
      }
      client.end(true);
      clearTimeout(renewTimer);
      failPending();
      if (stopped) return;
      if (renewing === client) {
        renewing = undefined;
        events.emit('disconnected', { cause: ConnectionCauses.CONNECTION_ERROR, error: cloudConnectionError('renewing credentials'), wasConnected, renewal: true });
        attempt();
        return;
      }
      onFailure(classifyFailure(lastError, connack), wasConnected);
    });
  }

  /** Fresh credentials (e.g. a new SAS token) need a new CONNECT: disconnect cleanly, connect again at once. */
  function scheduleRenewal(client: MqttClient, atMs: number): void {
    clearTimeout(renewTimer);
    renewTimer = setTimeout(() => {
      if (stopped || mc !== client || !connected) return;
      logger.info({}, 'reconnecting with renewed credentials');
      renewing = client;
      client.end(false);
    }, Math.max(0, atMs - now()));
  }

  function onFailure(f: ReturnType<typeof classifyFailure>, wasConnected: boolean): void {
    if (!wasConnected) failedAttempts++;
    if (f.action === 'auth') authFailures++;
    const level = wasConnected ? 'warn' : backoff.attempts <= 1 || f.action !== 'retry' ? 'warn' : 'debug';
    logger[level]({ err: f.error, cause: f.cause, authFailures }, wasConnected ? 'cloud connection lost' : 'cloud connection attempt failed');
    events.emit('disconnected', { cause: f.cause, error: f.error, wasConnected });
    const giveUp = f.action === 'stop' || (f.action === 'auth' && authFailures >= o.authErrorRetries);
    if (giveUp) {
      stopped = true;
      logger.error({ err: f.error, cause: f.cause, authFailures }, 'giving up on the cloud connection');
      events.emit('stopped', { cause: f.cause, error: f.error });
      return;
    }
    const delayMs = backoff.next();
    logger.info({ attempt: backoff.attempts, delayMs }, 'reconnecting');
    events.emit('reconnecting', { attempt: backoff.attempts, delayMs });
    timer = setTimeout(attempt, delayMs);
  }

  function failPending(): void {
    const fails = pending;
    pending = new Set();
    for (const fail of fails) fail(cloudPublishError('*', 'connection lost'));
  }

  function resubscribe(client: MqttClient): void {
    if (subscriptions.size === 0) return;
    const req = Object.fromEntries([...subscriptions].map(([f, qos]) => [f, { qos }]));
    client.subscribe(req, (err, granted) => {
      if (err) logger.warn({ err }, 'resubscribe failed');
      for (const g of granted ?? []) if (g.qos >= 0x80) logger.error({ filter: g.topic }, 'cloud refused subscription');
    });
  }

  const close = onlyOnce(async () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(renewTimer);
    const client = mc;
    mc = undefined;
    connected = false;
    if (client) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000);
        client.end(false, {}, () => {
          clearTimeout(t);
          resolve();
        });
      });
      client.end(true);
      failPending();
    }
    logger.info({ connects, failedAttempts, published }, 'closed');
  });

  const api = {
    get connected() {
      return connected;
    },
    get stopped() {
      return stopped;
    },
    start() {
      if (stopped || mc || timer) return;
      attempt();
    },
    publish(topic: string, payload: Buffer, qos: CloudQoS): Promise<void> {
      const client = mc;
      if (!client || !connected) return Promise.reject(stopped ? cloudStoppedError('closed') : cloudPublishError(topic, 'not connected'));
      return new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => reject(err);
        pending.add(fail);
        client.publish(topic, payload, { qos }, (err) => {
          if (!pending.delete(fail)) return;
          if (err) reject(cloudPublishError(topic, err.message, err));
          else {
            published++;
            resolve();
          }
        });
      });
    },
    subscribe(filter: string, qos: CloudQoS): Promise<void> {
      subscriptions.set(filter, qos);
      const client = mc;
      if (!client || !connected) return Promise.resolve();
      return new Promise<void>((resolve) => {
        client.subscribe(filter, { qos }, (err) => {
          if (err) logger.warn({ err, filter }, 'subscribe failed; retried after reconnect');
          resolve();
        });
      });
    },
    unsubscribe(filter: string): Promise<void> {
      subscriptions.delete(filter);
      const client = mc;
      if (!client || !connected) return Promise.resolve();
      return new Promise<void>((resolve) => client.unsubscribe(filter, () => resolve()));
    },
    stats: () => ({ connects, failedAttempts, inFlight: pending.size, published }),
    close,
  };
  return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as TypedEmitter<CloudClientEvents> & typeof api;
}
