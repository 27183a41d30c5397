// Sessions that must never miss a message (issue 17), declared in the broker's config and created before
// any listener opens: a local app that publishes in the first moments after boot, before the connector
// has connected and subscribed, is queued for the connector instead of matching nothing. The connector's
// own (clean: false) connection then finds its session and its queue.
import { topicFilterProblem } from '@ledge/shared/model-mqtt';

export interface DurableSession {
  clientId: string;
  subscriptions: { topic: string; qos: 0 | 1 | 2 }[];
}

/** Checks the `durableSessions` config value; a message naming the bad entry, or undefined. */
export function durableSessionsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of {"clientId", "subscriptions": [{"topic", "qos"}]}';
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const s = value[i] as Record<string, unknown> | null;
    const at = `entry ${i}`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return `${at}: must be an object`;
    const extra = Object.keys(s).filter((k) => k !== 'clientId' && k !== 'subscriptions');
    if (extra.length > 0) return `${at}: unknown key(s) ${extra.join(', ')}`;
    if (typeof s['clientId'] !== 'string' || s['clientId'] === '' || Buffer.byteLength(s['clientId']) > 65_535) return `${at}: clientId must be a non-empty string`;
    if (seen.has(s['clientId'])) return `${at}: clientId ${JSON.stringify(s['clientId'])} is declared twice`;
    seen.add(s['clientId']);
    const subs = s['subscriptions'];
    if (!Array.isArray(subs) || subs.length === 0) return `${at}: subscriptions must be a non-empty list`;
    for (let j = 0; j < subs.length; j++) {
      const sub = subs[j] as Record<string, unknown> | null;
      if (sub === null || typeof sub !== 'object' || typeof sub['topic'] !== 'string') return `${at}, subscription ${j}: needs a string topic`;
      const problem = topicFilterProblem(sub['topic']);
      if (problem) return `${at}, subscription ${j}: topic ${JSON.stringify(sub['topic'])}: ${problem}`;
      if (sub['qos'] !== 0 && sub['qos'] !== 1 && sub['qos'] !== 2) return `${at}, subscription ${j}: qos must be 0, 1 or 2`;
    }
  }
  return undefined;
}

/** What the broker needs of its persistence to declare a session (aedes 1.x persistence, promise form). */
export interface SessionStore {
  addSubscriptions(client: { id: string }, subs: { topic: string; qos: number }[]): Promise<void>;
  subscriptionsByClient(client: { id: string }): Promise<{ topic: string; qos: number }[] | null | undefined>;
}

/**
 * Adds to each declared session the subscriptions it lacks (a session the client changed since keeps its
 * other filters; a filter it holds at another QoS is left as it is). Returns the filters added.
 */
export async function declareSessions(store: SessionStore, sessions: readonly DurableSession[]): Promise<number> {
  let added = 0;
  for (const s of sessions) {
    const have = new Set(((await store.subscriptionsByClient({ id: s.clientId })) ?? []).map((x) => x.topic));
    const missing = s.subscriptions.filter((x) => !have.has(x.topic));
    if (missing.length === 0) continue;
    await store.addSubscriptions({ id: s.clientId }, missing.map((x) => ({ topic: x.topic, qos: x.qos })));
    added += missing.length;
  }
  return added;
}
