// Device identity discovery (spec §0, §1.1): ask the connector on `edge/thing/request`, listen on
// `edge/thing/response`. The connector answers every request and re-announces after each cloud
// reconnect and provisioning change, so repeats are normal: identical ones are ignored, changed ones
// are re-emitted so apps re-initialise.
import { createLogger, onlyOnce, type Logger, TypedEmitter, type EventSource, withDefaults } from '@ledge/shared/util';
import { EdgeTopics, parseThingIdentity, sameThingIdentity, type ThingIdentity as EdgeIdentity } from '@ledge/shared/model-edge';
import { closedError } from './errors';
import type { LocalBusClient } from './types';

export interface IdentityWatcherOptions {
  client: LocalBusClient;
  logger?: Logger;
  /** While no identity is known, re-send the request this often. */
  requestIntervalMs?: number;
  /** Warn once after this many unanswered requests (no connector running?). */
  warnAfterRequests?: number;
}

export const defaultIdentityWatcherOptions = Object.freeze({ requestIntervalMs: 5_000, warnAfterRequests: 3 });

export interface IdentityChange {
  readonly previous: EdgeIdentity;
  readonly current: EdgeIdentity;
}

export interface IdentityWatcherEvents {
  /** The first identity, and again every time it changes. */
  identity: [identity: EdgeIdentity];
  /** A re-announce with different values (emitted after `identity`). */
  identityChanged: [change: IdentityChange];
}

export interface IdentityWatcher extends EventSource<IdentityWatcherEvents> {
  readonly current: EdgeIdentity | undefined;
  /** Subscribes and starts asking; resolves once subscribed (or at once while offline). */
  start(): Promise<void>;
  /** Resolves once an identity is known; rejects with LEDGE_MQTT_CLOSED on close, or signal.reason. */
  identity(signal?: AbortSignal): Promise<EdgeIdentity>;
  close(): Promise<void>;
}

export function createIdentityWatcher(options: IdentityWatcherOptions): IdentityWatcher {
  const o = withDefaults(defaultIdentityWatcherOptions, options);
  const { client } = o;
  const logger = (o.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'identity-watcher' });
  const events = new TypedEmitter<IdentityWatcherEvents>((err, event) => logger.error({ err, event }, 'identity listener failed'));
  const waiters = new Set<{ resolve: (id: EdgeIdentity) => void; reject: (err: unknown) => void }>();
  let current: EdgeIdentity | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let requests = 0;
  let started = false;
  let closed = false;
  let removeHandler: (() => void) | undefined;

  const request = (why: string) => {
    if (closed || !client.connected) return;
    requests++;
    logger.debug({ why, requests }, 'requesting identity');
    if (current === undefined && requests === o.warnAfterRequests) {
      logger.warn({ requests, topic: EdgeTopics.thingRequest }, 'no identity yet: is a connector running?');
    }
    client.publish(EdgeTopics.thingRequest, '', { qos: 0 }).catch((err: unknown) => logger.debug({ err }, 'identity request not sent'));
  };

  const stopTimer = () => {
    clearInterval(timer);
    timer = undefined;
  };

  const onResponse = (_topic: string, payload: Buffer) => {
    if (closed) return;
    const parsed = parseThingIdentity(payload);
    if (!parsed.ok) {
      logger.warn({ problems: parsed.problems, payload: payload.toString('utf8', 0, 256) }, 'invalid identity payload ignored');
      return;
    }
    const next = parsed.identity;
    const previous = current;
    if (previous !== undefined && sameThingIdentity(previous, next)) {
      logger.debug({ deviceId: next.deviceId }, 'identity repeated');
      return;
    }
    current = next;
    stopTimer();
    if (previous === undefined) {
      logger.info({ deviceId: next.deviceId, tenantId: next.tenantId, requests }, 'identity received');
    } else {
      logger.info({ previous, current: next }, 'identity changed');
    }
    for (const w of waiters) w.resolve(next);
    waiters.clear();
    events.emit('identity', next);
    if (previous !== undefined) events.emit('identityChanged', { previous, current: next });
  };

  // Ask again on every (re)connect: an announce may have been missed while the local link was down.
  const onConnected = () => request('connected');

  const api = {
    get current() {
      return current;
    },
    async start() {
      if (closed) throw closedError('identity watcher');
      if (started) return;
      started = true;
      removeHandler = client.onMessage(EdgeTopics.thingResponse, onResponse);
      client.on('connected', onConnected);
      await client.subscribe(EdgeTopics.thingResponse, { qos: 1 });
      request('start');
      if (current === undefined && !closed) {
        timer = setInterval(() => (current === undefined ? request('retry') : stopTimer()), o.requestIntervalMs);
      }
    },
    identity(signal?: AbortSignal) {
      if (current !== undefined) return Promise.resolve(current);
      if (closed) return Promise.reject(closedError('identity watcher'));
      return new Promise<EdgeIdentity>((resolve, reject) => {
        const w = { resolve, reject };
        waiters.add(w);
        signal?.addEventListener('abort', () => waiters.delete(w) && reject(signal.reason), { once: true });
      });
    },
    close: onlyOnce(async () => {
      closed = true;
      stopTimer();
      for (const w of waiters) w.reject(closedError('identity watcher'));
      waiters.clear();
      if (!started) return;
      removeHandler?.();
      client.off('connected', onConnected);
      await client.unsubscribe(EdgeTopics.thingResponse).catch((err: unknown) => logger.debug({ err }, 'unsubscribe failed'));
    }),
  };
  return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as TypedEmitter<IdentityWatcherEvents> & typeof api;
}
