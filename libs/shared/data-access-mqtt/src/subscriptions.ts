// Subscription bookkeeping, independent of MQTT.js (whose own resubscribe is off): every filter with a
// reference count, the QoS asked for and whether the broker confirmed it in the current session. After
// a reconnect without a session every filter is unconfirmed again and gets re-subscribed.
import type { QoS } from './types';

export interface SubscriptionTracker {
  /** Adds one reference per filter; returns the filters that need a SUBSCRIBE now. */
  add(filters: readonly string[], qos: QoS): string[];
  /** Drops one reference per filter; returns the filters whose last reference went. */
  remove(filters: readonly string[]): string[];
  /** Forgets a filter entirely (the broker refused it). */
  drop(filter: string): void;
  confirm(filter: string): void;
  /** The broker has no session for us: every filter needs subscribing again, nothing to unsubscribe. */
  sessionLost(): void;
  /** Filters to subscribe on (re)connect, with their QoS. */
  unconfirmed(): Record<string, { qos: QoS }>;
  qosOf(filter: string): QoS | undefined;
  /** Remembers an UNSUBSCRIBE that could not be sent (offline with a persistent session). */
  deferUnsubscribe(filters: readonly string[]): void;
  /** Takes the deferred UNSUBSCRIBEs. */
  takeDeferredUnsubscribes(): string[];
  list(): { filter: string; qos: QoS; refs: number; confirmed: boolean }[];
}

export function createSubscriptionTracker(): SubscriptionTracker {
  const entries = new Map<string, { qos: QoS; refs: number; confirmed: boolean }>();
  const deferred = new Set<string>();
  return {
    add(filters, qos) {
      const need: string[] = [];
      for (const filter of new Set(filters)) {
        deferred.delete(filter);
        const e = entries.get(filter);
        if (!e) {
          entries.set(filter, { qos, refs: 1, confirmed: false });
          need.push(filter);
          continue;
        }
        e.refs++;
        if (qos > e.qos) {
          // A new SUBSCRIBE for the same filter replaces the old one's QoS [MQTT-3.8.4-3].
          e.qos = qos;
          e.confirmed = false;
        }
        if (!e.confirmed) need.push(filter);
      }
      return need;
    },
    remove(filters) {
      const gone: string[] = [];
      for (const filter of new Set(filters)) {
        const e = entries.get(filter);
        if (!e) continue;
        if (--e.refs <= 0) {
          entries.delete(filter);
          gone.push(filter);
        }
      }
      return gone;
    },
    drop(filter) {
      entries.delete(filter);
    },
    confirm(filter) {
      const e = entries.get(filter);
      if (e) e.confirmed = true;
    },
    sessionLost() {
      for (const e of entries.values()) e.confirmed = false;
      deferred.clear();
    },
    unconfirmed() {
      const out: Record<string, { qos: QoS }> = {};
      for (const [filter, e] of entries) if (!e.confirmed) out[filter] = { qos: e.qos };
      return out;
    },
    qosOf(filter) {
      return entries.get(filter)?.qos;
    },
    deferUnsubscribe(filters) {
      for (const f of filters) if (!entries.has(f)) deferred.add(f);
    },
    takeDeferredUnsubscribes() {
      const out = [...deferred];
      deferred.clear();
      return out;
    },
    list() {
      return [...entries].map(([filter, e]) => ({ filter, ...e }));
    },
  };
}
