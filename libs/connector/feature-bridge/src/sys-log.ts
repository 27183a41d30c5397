// §2.1.6: which local clients subscribe to sub-device commands, learnt from Mosquitto's `$SYS` log
// lines (the Ledge broker reproduces them byte for byte): `<unix s>: <clientid> <qos> <filter>` on
// `$SYS/broker/log/M/subscribe`, `<unix s>: <clientid> <filter>` on `.../M/unsubscribe`, and
// disconnect notices on `$SYS/broker/log/N`. Reference counted per normalised filter. Pure.
import { normaliseCommandSubscription } from '@ledge/shared/model-hono';

export const SysLogTopics = Object.freeze({
  subscribe: '$SYS/broker/log/M/subscribe',
  unsubscribe: '$SYS/broker/log/M/unsubscribe',
  notice: '$SYS/broker/log/N',
} as const);

export type SysLogEvent =
  | { readonly kind: 'subscribe'; readonly clientId: string; readonly filter: string }
  | { readonly kind: 'unsubscribe'; readonly clientId: string; readonly filter: string }
  | { readonly kind: 'gone'; readonly clientId: string };

const STAMP = /^\d+: /;
const GONE = [
  /^Client (.+) disconnected\.$/,
  /^Client (.+) closed its connection\.$/,
  /^Socket error on client (.+), disconnecting\.$/,
  /^Client (.+) has exceeded timeout, disconnecting\.$/,
  /^Client (.+) disconnected due to .+\.$/,
  /^Client (.+) disconnected, not authorised\.$/,
];

/** One log message → an event, or undefined for lines that do not matter. */
export function parseSysLogLine(topic: string, line: string): SysLogEvent | undefined {
  if (!STAMP.test(line)) return undefined;
  const text = line.replace(STAMP, '').trimEnd();
  if (topic === SysLogTopics.subscribe) {
    const m = /^(\S+) ([0-2]) (.+)$/.exec(text);
    return m ? { kind: 'subscribe', clientId: m[1]!, filter: m[3]! } : undefined;
  }
  if (topic === SysLogTopics.unsubscribe) {
    const m = /^(\S+) (.+)$/.exec(text);
    return m ? { kind: 'unsubscribe', clientId: m[1]!, filter: m[2]! } : undefined;
  }
  if (topic === SysLogTopics.notice) {
    for (const re of GONE) {
      const m = re.exec(text);
      if (m) return { kind: 'gone', clientId: m[1]! };
    }
  }
  return undefined;
}

export interface SubscriptionChange {
  /** Filters whose first reference appeared (subscribe at the cloud). */
  readonly added: readonly string[];
  /** Filters whose last reference went (unsubscribe at the cloud). */
  readonly removed: readonly string[];
}

export interface CommandSubscriptionTracker {
  apply(event: SysLogEvent): SubscriptionChange;
  /** Filters currently referenced. */
  filters(): string[];
  /** Subscribe events for filters a client already had (counted, not re-referenced). */
  readonly duplicates: number;
}

/** `ignoreClients`: the connector's own client ids (and Kanto's `connector`/`cloud`), never forwarded. */
export function createCommandSubscriptionTracker(ignoreClients: readonly string[]): CommandSubscriptionTracker {
  const ignore = new Set(ignoreClients);
  const byClient = new Map<string, Set<string>>();
  const refs = new Map<string, number>();
  let duplicates = 0;
  const none: SubscriptionChange = { added: [], removed: [] };

  const unref = (f: string, removed: string[]) => {
    const n = (refs.get(f) ?? 0) - 1;
    if (n <= 0) {
      refs.delete(f);
      removed.push(f);
    } else refs.set(f, n);
  };

  return {
    apply(event) {
      if (ignore.has(event.clientId)) return none;
      if (event.kind === 'gone') {
        const set = byClient.get(event.clientId);
        if (!set) return none;
        byClient.delete(event.clientId);
        const removed: string[] = [];
        for (const f of set) unref(f, removed);
        return { added: [], removed };
      }
      const filter = normaliseCommandSubscription(event.filter);
      // `command//+/req/#` and other wildcard device levels are not forwarded (§2.1.6).
      if (filter === undefined || filter === 'command///req/#') return none;
      const set = byClient.get(event.clientId) ?? new Set<string>();
      if (event.kind === 'subscribe') {
        if (set.has(filter)) {
          duplicates++;
          return none;
        }
        set.add(filter);
        byClient.set(event.clientId, set);
        const n = (refs.get(filter) ?? 0) + 1;
        refs.set(filter, n);
        return n === 1 ? { added: [filter], removed: [] } : none;
      }
      if (!set.delete(filter)) return none;
      if (set.size === 0) byClient.delete(event.clientId);
      const removed: string[] = [];
      unref(filter, removed);
      return { added: [], removed };
    },
    filters: () => [...refs.keys()],
    get duplicates() {
      return duplicates;
    },
  };
}
