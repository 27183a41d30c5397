// Whether one topic filter covers another: the subscribe-time check of topic ACLs (a subscription to
// `inner` is allowed by a rule `outer` only when every topic `inner` can match, `outer` matches too).

/**
 * Whether every topic name that `inner` matches is also matched by `outer` (both valid filters, not
 * shared subscriptions: pass a `$share/…` filter's inner filter, see parseSharedSubscription).
 */
export function filterCovers(outer: string, inner: string): boolean {
  // '#' or '+/x' never match '$' topics [MQTT-4.7.2-1], and a literal level never matches a different
  // first character
  if (inner.startsWith('$') !== outer.startsWith('$')) return false;
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    const ol = o[i];
    if (ol === '#') return true;
    if (i >= n.length) return false;
    const nl = n[i];
    if (nl === '#') return false; // inner reaches deeper levels than a non-'#' outer level
    if (ol === '+') continue;
    if (nl === '+' || nl !== ol) return false;
  }
  return o.length === n.length;
}
