// The local-bus client every Ledge app uses (STYLE.md "Reconnect lives in data-access"): MQTT.js with
// its fixed-period reconnect replaced by capped exponential backoff with jitter, subscriptions tracked
// here and re-subscribed after every reconnect that lost the session, TCP_NODELAY on every socket,
// typed connection events, and message handlers that can never crash the process.
import { createBackoff, createLogger, onlyOnce, TypedEmitter } from '@ledge/shared/util';
import { isValidTopicFilter, isValidTopicName } from '@ledge/shared/model-mqtt';
import { closedError, connectionError, invalidFilterError, invalidOptionsError, invalidTopicError, notStartedError, publishFailedError, subscribeRefusedError } from './errors';
import { createHandlerRegistry } from './handler-registry';
import { defaultMqttConnect, type MqttClientLike } from './mqtt-adapter';
import { resolveLocalBusOptions, toBuffer, toMqttOptions, type LocalBusClientOptions } from './options';
import { createSubscriptionTracker } from './subscriptions';
import type { BusPacket, LocalBusClient, LocalBusEvents, QoS } from './types';

const SUBACK_FAILURE = 0x80;

export function createLocalBusClient(options: LocalBusClientOptions = {}): LocalBusClient {
  const o = resolveLocalBusOptions(options);
  const logger = (o.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: o.logComponent ?? 'local-bus', clientId: o.clientId });
  const connectFn = o.connect ?? defaultMqttConnect;
  const backoff = createBackoff(o.backoff);
  const subs = createSubscriptionTracker();
  const handlers = createHandlerRegistry(logger);
  const waiters = new Set<{ resolve: () => void; reject: (err: unknown) => void }>();
  const inFlight = new Set<(err: Error) => void>();
  let drained: (() => void) | undefined;
  let mc: MqttClientLike | undefined;
  let connected = false;
  let closing = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let lastError: Error | undefined;
  let droppedQos0 = 0;
  let connects = 0;

  const settle = (fail: (err: Error) => void): boolean => {
    const had = inFlight.delete(fail);
    if (inFlight.size === 0) drained?.();
    return had;
  };

  function onConnect(connack: { sessionPresent: boolean }): void {
    if (closing) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    connected = true;
    connects++;
    const attempts = backoff.attempts;
    backoff.reset();
    lastError = undefined;
    mc?.setNoDelay();
    const sessionPresent = connack.sessionPresent === true;
    // Without a kept session the broker forgot our subscriptions [MQTT-3.1.2-6]; with one, only filters
    // added or dropped while offline need a packet.
    if (o.clean || !sessionPresent) subs.sessionLost();
    const deferred = subs.takeDeferredUnsubscribes();
    if (deferred.length > 0) mc?.unsubscribe(deferred, (err) => err && logger.debug({ err, filters: deferred }, 'deferred unsubscribe failed'));
    const pending = Object.keys(subs.unconfirmed());
    if (pending.length > 0) {
      sendSubscribe(pending).catch((err: unknown) => logger.error({ err }, 'resubscribe refused'));
    }
    logger.info({ sessionPresent, attempts, resubscribed: pending.length }, 'connected');
    events.emit('connected', { sessionPresent });
    for (const w of waiters) w.resolve();
    waiters.clear();
  }

  function onClose(): void {
    const wasConnected = connected;
    connected = false;
    if (closing) {
      // close() waiting for PUBACKs stops: a dropped connection acknowledges nothing more (a broker
      // that stops with its clients, as under `ledge run --processes`, would hold it closeTimeoutMs).
      drained?.();
      return;
    }
    const error = lastError;
    lastError = undefined;
    const reason = error?.message ?? 'connection closed';
    if (wasConnected) {
      logger.warn({ reason }, 'disconnected');
      events.emit('disconnected', error ? { reason, error } : { reason });
    }
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closing || reconnectTimer !== undefined) return;
    const delayMs = backoff.next();
    const attempt = backoff.attempts;
    logger[attempt === 1 ? 'info' : 'debug']({ attempt, delayMs }, 'reconnecting');
    events.emit('reconnecting', { attempt, delayMs });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closing || !mc) return;
      mc.connect();
      mc.setNoDelay();
    }, delayMs);
  }

  function onError(err: Error): void {
    lastError = err;
    const e = connectionError(err);
    if (e.code === 'LEDGE_MQTT_CONNECTION_REFUSED') logger.error({ err: e }, 'broker refused the connection');
    else if (connected || backoff.attempts === 0) logger.warn({ err: e }, 'connection error');
    else logger.debug({ err: e }, 'connection error');
    if (events.listenerCount('error') > 0) events.emit('error', e);
  }

  function onMessage(topic: string, payload: Buffer, p: { qos: number; retain: boolean; dup: boolean }): void {
    const packet: BusPacket = { topic, payload, qos: (p.qos === 1 || p.qos === 2 ? p.qos : 0) as QoS, retain: p.retain === true, dup: p.dup === true };
    events.emit('message', topic, payload, packet);
    handlers.dispatch(packet);
  }

  /** SUBSCRIBE for tracked filters. Rejects only when the broker refuses one; an interrupted connection leaves them for the resubscribe. */
  function sendSubscribe(filters: readonly string[]): Promise<void> {
    const client = mc;
    if (!client || !connected) return Promise.resolve();
    const req: Record<string, { qos: QoS }> = {};
    for (const f of filters) {
      const qos = subs.qosOf(f);
      if (qos !== undefined) req[f] = { qos };
    }
    if (Object.keys(req).length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      client.subscribe(req, (err, granted) => {
        if (err || !granted) {
          logger.debug({ err, filters }, 'subscribe interrupted; retried after reconnect');
          resolve();
          return;
        }
        const refused = granted.filter((g) => g.qos >= SUBACK_FAILURE);
        for (const g of granted) if (g.qos < SUBACK_FAILURE) subs.confirm(g.topic);
        for (const r of refused) {
          subs.drop(r.topic);
          logger.error({ filter: r.topic, reasonCode: r.qos }, 'broker refused subscription');
        }
        const first = refused[0];
        if (first) reject(subscribeRefusedError(first.topic, first.qos));
        else resolve();
      });
    });
  }

  const toList = (filters: string | readonly string[]): string[] => {
    const list = typeof filters === 'string' ? [filters] : [...filters];
    for (const f of list) if (!isValidTopicFilter(f)) throw invalidFilterError(f);
    return list;
  };

  const endClient = (client: MqttClientLike, force: boolean, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      client.end(force, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const close = onlyOnce(async () => {
    closing = true;
    clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    for (const w of waiters) w.reject(closedError());
    waiters.clear();
    const wasConnected = connected;
    const client = mc;
    if (client) {
      if (connected && inFlight.size > 0) {
        // Wait (bounded) for PUBACK/PUBCOMP of what is in flight; MQTT.js's end(false) would wait forever.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.closeTimeoutMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const graceful = connected && inFlight.size === 0;
      // end(false) sends DISCONNECT (no Last Will); while offline or stuck, drop the socket instead.
      const ended = await endClient(client, !graceful, o.closeTimeoutMs);
      if (!ended && graceful) await endClient(client, true, o.closeTimeoutMs);
    }
    connected = false;
    for (const fail of [...inFlight]) fail(closedError());
    if (wasConnected) events.emit('disconnected', { reason: 'client closed' });
    logger.info({ droppedQos0, connects }, 'closed');
  });

  function installGate(client: MqttClientLike, handle: (packet: BusPacket) => Promise<void> | void): void {
    if (!client.gateAcks) throw invalidOptionsError('handleIncoming needs a connection factory whose client supports gateAcks');
    client.gateAcks(
      (p) => handle({ topic: p.topic, payload: p.payload, qos: (p.qos === 1 || p.qos === 2 ? p.qos : 0) as QoS, retain: p.retain, dup: p.dup }),
      (err) => logger.error({ err }, 'incoming message not accepted; dropping the connection so the broker redelivers it'),
    );
  }

  const events = new TypedEmitter<LocalBusEvents>((err, event) => logger.error({ err, event }, 'event listener failed'));

  // defineProperties, not Object.assign: `connected` must stay a live getter.
  const api = {
    clientId: o.clientId,
    get connected() {
      return connected;
    },
    async start() {
      if (closing) throw closedError();
      if (mc) return;
      logger.info({ url: redactUrl(o.url), clean: o.clean }, 'connecting');
      mc = connectFn(o.url, toMqttOptions(o));
      mc.on('connect', onConnect);
      mc.on('close', onClose);
      mc.on('error', onError);
      mc.on('message', onMessage);
      if (o.handleIncoming) installGate(mc, o.handleIncoming);
      mc.setNoDelay();
    },
    waitForConnection(signal?: AbortSignal) {
      if (connected) return Promise.resolve();
      if (closing) return Promise.reject(closedError());
      return new Promise<void>((resolve, reject) => {
        const w = { resolve, reject };
        waiters.add(w);
        signal?.addEventListener('abort', () => waiters.delete(w) && reject(signal.reason), { once: true });
      });
    },
    async publish(topic: string, payload: Parameters<LocalBusClient['publish']>[1], opts: Parameters<LocalBusClient['publish']>[2] = {}) {
      if (closing) throw closedError();
      if (!mc) throw notStartedError();
      if (!isValidTopicName(topic)) throw invalidTopicError(topic);
      const qos = opts.qos ?? 0;
      if (qos === 0 && !connected) {
        droppedQos0++;
        logger.debug({ topic, droppedQos0 }, 'offline: QoS 0 message dropped');
        return;
      }
      const pub = mc;
      await new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => settle(fail) && reject(err);
        inFlight.add(fail);
        // QoS 1/2 while offline: MQTT.js keeps the packet in its outgoing store and sends it on reconnect.
        pub.publish(topic, toBuffer(payload), { qos, retain: opts.retain ?? false }, (err) => {
          if (!settle(fail)) return; // already failed by close()
          if (!err) resolve();
          else if (qos === 0) {
            droppedQos0++;
            resolve();
          } else reject(closing ? closedError() : publishFailedError(topic, err));
        });
      });
    },
    async subscribe(filters: string | readonly string[], opts: { qos?: QoS } = {}) {
      if (closing) throw closedError();
      const need = subs.add(toList(filters), opts.qos ?? 0);
      if (need.length > 0) await sendSubscribe(need);
    },
    async unsubscribe(filters: string | readonly string[]) {
      const gone = subs.remove(toList(filters));
      if (closing || gone.length === 0 || !mc) return;
      if (!connected) {
        if (!o.clean) subs.deferUnsubscribe(gone);
        return;
      }
      const u = mc;
      await new Promise<void>((resolve) =>
        u.unsubscribe(gone, (err) => {
          if (err && !o.clean) subs.deferUnsubscribe(gone);
          resolve();
        }),
      );
    },
    onMessage: handlers.add,
    stats: () => ({ droppedQos0, inFlight: inFlight.size, connects }),
    close,
  };
  return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as TypedEmitter<LocalBusEvents> & typeof api;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[redacted]@');
}
