// Which strings are MQTT topic names (what PUBLISH and a will carry) and topic filters (what SUBSCRIBE
// and UNSUBSCRIBE carry). MQTT 3.1.1 §1.5.3 and §4.7; MQTT 5 §1.5.4, §4.7 and §4.8.2 for `$share`. The
// clause tags are 3.1.1's; MQTT 5 states the same rules (shared subscriptions are MQTT 5 only, and
// Mosquitto applies them to 3.1.1 clients too, as Ledge does).
import { SHARED_SUBSCRIPTION_PREFIX, TOPIC_LIMITS } from './limits';

const HASH = 35;
const PLUS = 43;
const SLASH = 47;

/** Why `text` is not an MQTT UTF-8 string fit for a topic, or undefined: what names and filters share. */
function textProblem(text: string, what: string): string | undefined {
  if (text.length === 0) return `empty ${what}`; // [MQTT-4.7.3-1]
  const tooLong = `${what} longer than ${TOPIC_LIMITS.maxBytes} bytes of UTF-8`;
  // every UTF-16 code unit encodes to at least one byte: a longer string is over whatever it holds
  if (text.length > TOPIC_LIMITS.maxBytes) return tooLong;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return `${what} contains NUL (U+0000)`; // [MQTT-4.7.3-2], [MQTT-1.5.3-2]
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c < 0xd800 || c > 0xdfff) bytes += 3;
    else if (c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point outside the BMP
      i++;
    } else {
      // [MQTT-1.5.3-1] no encodings of U+D800..U+DFFF: a lone surrogate has no UTF-8 form (Node would
      // send U+FFFD instead, a different topic)
      return `${what} contains a lone surrogate (not well-formed UTF-8)`;
    }
  }
  return bytes > TOPIC_LIMITS.maxBytes ? tooLong : undefined; // [MQTT-4.7.3-3]
}

/**
 * Why `topic` is not a valid topic name, or undefined when it is: non-empty, no U+0000, well-formed,
 * at most 65535 bytes, no wildcards. Empty levels (`/`, `a//b`), spaces, control characters other than
 * U+0000 (only "SHOULD NOT", §1.5.3) and a leading `$` are allowed.
 */
export function topicNameProblem(topic: string): string | undefined {
  const problem = textProblem(topic, 'topic name');
  if (problem !== undefined) return problem;
  if (topic.includes('+') || topic.includes('#')) return 'wildcard in topic name'; // [MQTT-3.3.2-2], [MQTT-4.7.1-1]
  return undefined;
}

/**
 * Why `filter` is not a valid topic filter, or undefined when it is: the string rules of topic names,
 * `#` only as the whole last level, `+` only as a whole level, and for a shared subscription
 * `$share/<group>/<filter>` a non-empty group without `+` or `#` followed by a valid filter.
 */
export function topicFilterProblem(filter: string): string | undefined {
  const problem = textProblem(filter, 'topic filter');
  if (problem !== undefined) return problem;
  if (!filter.startsWith(SHARED_SUBSCRIPTION_PREFIX)) return levelProblem(filter, 0);
  const from = SHARED_SUBSCRIPTION_PREFIX.length;
  const slash = filter.indexOf('/', from);
  const end = slash < 0 ? filter.length : slash;
  if (end === from) return 'empty share name in $share/<group>/<filter>'; // [MQTT-4.8.2-1]
  for (let i = from; i < end; i++) {
    const c = filter.charCodeAt(i);
    if (c === PLUS || c === HASH) return 'wildcard in the share name of $share/<group>/<filter>'; // [MQTT-4.8.2-2]
  }
  // [MQTT-4.8.2-2] the share name is followed by '/' and a topic filter (which is non-empty, [MQTT-4.7.3-1])
  if (slash < 0 || slash === filter.length - 1) return 'no topic filter after $share/<group>/';
  return levelProblem(filter, slash + 1);
}

/** The wildcard rules for the filter that starts at `from`. */
function levelProblem(filter: string, from: number): string | undefined {
  for (let i = from; i < filter.length; i++) {
    const c = filter.charCodeAt(i);
    if (c !== PLUS && c !== HASH) continue;
    const last = i + 1 === filter.length;
    const alone = (i === from || filter.charCodeAt(i - 1) === SLASH) && (last || filter.charCodeAt(i + 1) === SLASH);
    if (c === HASH && !(alone && last)) return "'#' must be the last level on its own"; // [MQTT-4.7.1-2]
    if (c === PLUS && !alone) return "'+' must occupy a whole level"; // [MQTT-4.7.1-3]
  }
  return undefined;
}

export function isValidTopicName(topic: string): boolean {
  return topicNameProblem(topic) === undefined;
}

export function isValidTopicFilter(filter: string): boolean {
  return topicFilterProblem(filter) === undefined;
}

export interface SharedSubscription {
  /** The ShareName: the subscribers of one group share the messages. */
  readonly group: string;
  /** The topic filter messages are matched against. */
  readonly filter: string;
}

/**
 * `$share/<group>/<filter>` split into its parts (MQTT 5 §4.8.2); undefined for a filter that is not a
 * valid shared subscription (topicFilterProblem says why a `$share/…` filter is not).
 */
export function parseSharedSubscription(filter: string): SharedSubscription | undefined {
  if (!filter.startsWith(SHARED_SUBSCRIPTION_PREFIX) || topicFilterProblem(filter) !== undefined) return undefined;
  const slash = filter.indexOf('/', SHARED_SUBSCRIPTION_PREFIX.length);
  return { group: filter.slice(SHARED_SUBSCRIPTION_PREFIX.length, slash), filter: filter.slice(slash + 1) };
}
