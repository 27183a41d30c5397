// MQTT topic-filter matching where `+` also matches an empty level ([MQTT-4.7.1-3]: `a/+/b` matches
// `a//b`). aedes delivers live messages that way (mqemitter matchEmptyLevels), but aedes-persistence's
// subscription index does not, so a persistent session subscribed to `command//+/res/#` would never get
// `command///res/…` queued. The disk persistence uses this for topics with an empty level.

/** True when some level of the topic is empty (`a//b`, `/a`, `a/`). */
export function hasEmptyLevel(topic: string): boolean {
  return topic.includes('//') || topic.startsWith('/') || topic.endsWith('/');
}

export function filterMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with $
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true; // matches the parent level too: `a/#` matches `a`
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
