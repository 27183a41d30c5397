// MQTT topic names and filters (MQTT 3.1.1 §4.7): pure functions shared by the real client and the
// in-memory fake, so both route messages to per-filter handlers exactly as a broker would.

const MAX_TOPIC_BYTES = 65_535;

/** A topic name you may publish to: non-empty, no wildcards [MQTT-3.3.2-2], no NUL [MQTT-4.7.3-2]. */
export function isValidTopicName(topic: string): boolean {
  return (
    topic.length > 0 && // [MQTT-4.7.3-1]
    !topic.includes('+') &&
    !topic.includes('#') &&
    !topic.includes('\u0000') &&
    Buffer.byteLength(topic, 'utf8') <= MAX_TOPIC_BYTES
  );
}

/**
 * A topic filter you may subscribe to: `#` only as the whole last level [MQTT-4.7.1-2], `+` only as a
 * whole level [MQTT-4.7.1-3]. `$share/<group>/<filter>` (shared subscription) is accepted.
 */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000') || Buffer.byteLength(filter, 'utf8') > MAX_TOPIC_BYTES) return false;
  const shared = splitShared(filter);
  if (shared === null) return false;
  const levels = shared.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? '';
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false;
    if (level.includes('+') && level !== '+') return false;
  }
  return true;
}

/**
 * Does `topic` (a topic name) match `filter`? `sport/#` also matches `sport` (§4.7.1.2); `+` matches an
 * empty level; a filter starting with a wildcard never matches a topic starting with `$` [MQTT-4.7.2-1].
 * Shared-subscription prefixes are ignored for matching. Invalid filters match nothing.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (!isValidTopicFilter(filter)) return false;
  const f = splitShared(filter) ?? filter;
  if (topic.startsWith('$') && (f.startsWith('+') || f.startsWith('#'))) return false;
  const fl = f.split('/');
  const tl = topic.split('/');
  for (let i = 0; i < fl.length; i++) {
    const level = fl[i];
    if (level === '#') return true;
    if (i >= tl.length) return false;
    if (level !== '+' && level !== tl[i]) return false;
  }
  return fl.length === tl.length;
}

/** The filter without a `$share/<group>/` prefix; null when the prefix is malformed. */
function splitShared(filter: string): string | null {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const group = rest.slice(0, slash);
  if (group.includes('+') || group.includes('#')) return null;
  const inner = rest.slice(slash + 1);
  return inner.length > 0 ? inner : null;
}
