// An in-memory local bus for feature-level unit tests of other libs: any number of clients implementing
// LocalBusClient, broker semantics for wildcards, retained messages and QoS downgrade, and a switch to
// simulate a broker outage. It passes the same contract suite as the real client (contract.ts).
import { createLogger, onlyOnce, TypedEmitter, type Logger } from '@ledge/shared/util';
import { isValidTopicFilter, isValidTopicName, topicMatches } from '@ledge/shared/model-mqtt';
import { closedError, invalidFilterError, invalidTopicError, notStartedError } from '../errors';
import { createHandlerRegistry } from '../handler-registry';
import { toBuffer } from '../options';
import { createSubscriptionTracker, type SubscriptionTracker } from '../subscriptions';
import type { BusPacket, LocalBusClient, LocalBusEvents, MessageHandler, Payload, PublishOptions, QoS } from '../types';

export interface FakeBusPublish {
  /** Publishing client, or "inject" for FakeLocalBus.inject. */
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
}

export interface FakeLocalBusClient extends LocalBusClient {
  /** Drops this client's connection (it reconnects at once while the bus is online). */
  disconnect(reason?: string): void;
}

export interface FakeLocalBus {
  createClient(options?: { clientId?: string; logger?: Logger }): FakeLocalBusClient;
  /** Every message the bus accepted, in order. */
  readonly published: readonly FakeBusPublish[];
  retained(topic: string): Buffer | undefined;
  /** Publishes as another client would (e.g. a connector answering `edge/thing/request`). */
  inject(topic: string, payload: Payload, options?: PublishOptions): void;
  /** false: every client is disconnected and waits; true: they reconnect (clean session: resubscribe). */
  setOnline(online: boolean): void;
  readonly online: boolean;
  /** Resolves once queued deliveries have run (they run on microtasks). */
  flush(): Promise<void>;
  /**
   * Resolves once the bus has nothing left to do: every publish routed, every message delivered, and every
   * promise a message handler returned settled, including the traffic those handlers caused, and so on.
   * Not waited for: publishes held while a client is offline, 'message' event listeners, and work a handler
   * started without returning it. A handler waiting on fake time keeps idle() pending until time advances.
   */
  idle(): Promise<void>;
}

interface Member {
  readonly clientId: string;
  readonly subs: SubscriptionTracker;
  isConnected(): boolean;
  receive(packet: BusPacket): void;
  busStateChanged(): void;
}

export function createFakeLocalBus(): FakeLocalBus {
  const members = new Set<Member>();
  const published: FakeBusPublish[] = [];
  const retained = new Map<string, { payload: Buffer; qos: QoS }>();
  let online = true;
  let seq = 0;
  /** Publishes being routed and deliveries queued (microtasks); what idle() waits for, with `working`. */
  let busy = 0;
  /** Promises message handlers returned, until they settle. */
  const working = new Set<Promise<void>>();
  const deliver = (m: Member, packet: BusPacket) => {
    busy++;
    queueMicrotask(() => {
      busy--;
      if (m.isConnected()) m.receive(packet);
    });
  };
  /** The handler, with the promise it returns (if any) kept until it settles. */
  const tracked =
    (handler: MessageHandler): MessageHandler =>
    (topic, payload, packet) => {
      const r = handler(topic, payload, packet);
      if (r !== undefined && typeof r.then === 'function') {
        const done = () => void working.delete(p);
        const p: Promise<void> = r.then(done, done);
        working.add(p);
      }
      return r;
    };

  const route = (clientId: string, topic: string, payload: Buffer, qos: QoS, retain: boolean) => {
    published.push({ clientId, topic, payload, qos, retain });
    if (retain) {
      if (payload.length === 0) retained.delete(topic); // [MQTT-3.3.1-10]
      else retained.set(topic, { payload, qos });
    }
    for (const m of members) {
      if (!m.isConnected()) continue;
      const match = m.subs.list().filter((s) => s.confirmed && topicMatches(s.filter, topic));
      if (match.length === 0) continue;
      const subQos = Math.max(...match.map((s) => s.qos)) as QoS;
      // Live deliveries carry retain=0 [MQTT-3.3.1-9]; QoS is the minimum of both sides [MQTT-3.8.4-6].
      deliver(m, { topic, payload, qos: Math.min(qos, subQos) as QoS, retain: false, dup: false });
    }
  };

  const sendRetained = (m: Member, filters: readonly string[]) => {
    for (const [topic, r] of retained) {
      const f = filters.find((x) => topicMatches(x, topic));
      if (f === undefined) continue;
      deliver(m, { topic, payload: r.payload, qos: Math.min(r.qos, m.subs.qosOf(f) ?? 0) as QoS, retain: true, dup: false });
    }
  };

  function createClient(options: { clientId?: string; logger?: Logger } = {}): FakeLocalBusClient {
    const clientId = options.clientId ?? `fake-${++seq}`;
    const logger = (options.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'fake-local-bus', clientId });
    const events = new TypedEmitter<LocalBusEvents>((err, event) => logger.error({ err, event }, 'event listener failed'));
    const subs = createSubscriptionTracker();
    const handlers = createHandlerRegistry(logger);
    const waiters = new Set<{ resolve: () => void; reject: (err: unknown) => void }>();
    const queued: { topic: string; payload: Buffer; qos: QoS; retain: boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
    let started = false;
    let closing = false;
    let connected = false;
    let attempt = 0;
    let droppedQos0 = 0;
    let connects = 0;

    const connectNow = () => {
      if (closing || connected || !online || !started) return;
      connected = true;
      connects++;
      attempt = 0;
      subs.sessionLost(); // the fake broker keeps no sessions: every connect is a clean one
      const filters = Object.keys(subs.unconfirmed());
      for (const f of filters) subs.confirm(f);
      sendRetained(member, filters);
      events.emit('connected', { sessionPresent: false });
      for (const w of waiters) w.resolve();
      waiters.clear();
      for (const q of queued.splice(0)) {
        route(clientId, q.topic, q.payload, q.qos, q.retain);
        q.resolve();
      }
    };

    const dropNow = (reason: string) => {
      if (!connected) return;
      connected = false;
      events.emit('disconnected', { reason });
      events.emit('reconnecting', { attempt: ++attempt, delayMs: 0 });
      queueMicrotask(connectNow);
    };

    const member: Member = {
      clientId,
      subs,
      isConnected: () => connected,
      receive(packet) {
        events.emit('message', packet.topic, packet.payload, packet);
        handlers.dispatch(packet);
      },
      busStateChanged() {
        if (online) queueMicrotask(connectNow);
        else dropNow('broker unavailable');
      },
    };
    members.add(member);

    const toList = (filters: string | readonly string[]): string[] => {
      const list = typeof filters === 'string' ? [filters] : [...filters];
      for (const f of list) if (!isValidTopicFilter(f)) throw invalidFilterError(f);
      return list;
    };

    const api = {
      clientId,
      get connected() {
        return connected;
      },
      async start() {
        if (closing) throw closedError();
        started = true;
        queueMicrotask(connectNow);
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
      async publish(topic: string, payload: Payload, opts: PublishOptions = {}) {
        if (closing) throw closedError();
        if (!started) throw notStartedError();
        if (!isValidTopicName(topic)) throw invalidTopicError(topic);
        const qos = opts.qos ?? 0;
        const retain = opts.retain ?? false;
        const buf = Buffer.from(toBuffer(payload));
        if (!connected) {
          if (qos === 0) {
            droppedQos0++;
            return;
          }
          await new Promise<void>((resolve, reject) => queued.push({ topic, payload: buf, qos, retain, resolve, reject }));
          return;
        }
        busy++;
        try {
          await Promise.resolve();
          route(clientId, topic, buf, qos, retain);
        } finally {
          busy--;
        }
      },
      async subscribe(filters: string | readonly string[], opts: { qos?: QoS } = {}) {
        if (closing) throw closedError();
        const need = subs.add(toList(filters), opts.qos ?? 0);
        if (!connected || need.length === 0) return;
        await Promise.resolve();
        for (const f of need) subs.confirm(f);
        sendRetained(member, need);
      },
      async unsubscribe(filters: string | readonly string[]) {
        subs.remove(toList(filters));
      },
      onMessage: (filter: string, handler: MessageHandler) => handlers.add(filter, tracked(handler)),
      stats: () => ({ droppedQos0, inFlight: queued.length, connects }),
      disconnect(reason = 'connection dropped') {
        dropNow(reason);
      },
      close: onlyOnce(async () => {
        closing = true;
        for (const w of waiters) w.reject(closedError());
        waiters.clear();
        for (const q of queued.splice(0)) q.reject(closedError());
        members.delete(member);
        if (connected) {
          connected = false;
          events.emit('disconnected', { reason: 'client closed' });
        }
      }),
    };
    return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as TypedEmitter<LocalBusEvents> & typeof api;
  }

  return {
    createClient,
    get published() {
      return published;
    },
    retained: (topic) => retained.get(topic)?.payload,
    inject(topic, payload, options = {}) {
      if (!isValidTopicName(topic)) throw invalidTopicError(topic);
      route('inject', topic, Buffer.from(toBuffer(payload)), options.qos ?? 0, options.retain ?? false);
    },
    setOnline(value) {
      if (online === value) return;
      online = value;
      for (const m of members) m.busStateChanged();
    },
    get online() {
      return online;
    },
    async flush() {
      for (let i = 0; i < 10; i++) await new Promise<void>((r) => queueMicrotask(r));
    },
    async idle() {
      for (;;) {
        // A turn of the event loop (not a wait): every chain of microtasks started so far has run.
        await new Promise<void>((r) => setImmediate(r));
        if (busy === 0 && working.size === 0) return;
        await Promise.all([...working]);
      }
    },
  };
}
