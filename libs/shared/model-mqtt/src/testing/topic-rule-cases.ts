// The conformance table of MQTT topic rules (issue 22): one row per rule and per place where Ledge's
// former copies disagreed. model-mqtt's spec runs it against its own functions; any other
// implementation of a rule (the broker's byte-level PUBLISH check, a cloud protocol's filters) runs the
// same rows. Clause tags are MQTT 3.1.1's; `$share` is MQTT 5 §4.8.2.

/** [filter, topic, matches]: every filter is a valid topic filter and every topic a valid topic name. */
export type TopicMatchCase = readonly [filter: string, topic: string, matches: boolean];

/** [text, validTopicName, validTopicFilter]. */
export type TopicValidityCase = readonly [text: string, validName: boolean, validFilter: boolean];

/** [outer, inner, covers]: both valid filters (not shared subscriptions). */
export type FilterCoverCase = readonly [outer: string, inner: string, covers: boolean];

const x = (n: number) => 'x'.repeat(n);

export const topicValidityCases: readonly TopicValidityCase[] = Object.freeze([
  // plain levels; empty levels are levels (§4.7.1.1: '/finance' has two)
  ['a', true, true],
  ['a/b', true, true],
  ['/', true, true],
  ['//', true, true],
  ['/a', true, true],
  ['a/', true, true],
  ['a//b', true, true],
  ['command///res/1/204', true, true],
  // §4.7.3: spaces allowed; case-sensitive; any Unicode
  [' ', true, true],
  ['Accounts payable', true, true],
  ['ä/ö/€/😀', true, true],
  // §1.5.3: control characters and non-characters "SHOULD NOT", not MUST: accepted; [MQTT-1.5.3-3] a
  // leading U+FEFF is a character of the topic
  ['a\u0001b', true, true],
  ['\u007f/\uffff', true, true],
  ['\ufeffa', true, true],
  // [MQTT-4.7.2-1] is about matching: `$` topics and filters are valid
  ['$', true, true],
  ['$SYS/broker/log/N', true, true],
  // [MQTT-4.7.3-1] at least one character
  ['', false, false],
  // [MQTT-4.7.3-2] / [MQTT-1.5.3-2] no U+0000
  ['\u0000', false, false],
  ['a\u0000b', false, false],
  ['a/\u0000', false, false],
  // [MQTT-1.5.3-1] well-formed UTF-8: a lone surrogate cannot be encoded
  ['\ud800', false, false],
  ['a/\udc00', false, false],
  ['\udc00\ud800', false, false],
  ['a\ud83d', false, false],
  // [MQTT-4.7.3-3] at most 65535 bytes of UTF-8: bytes, not characters
  [x(65_535), true, true],
  [x(65_536), false, false],
  ['€'.repeat(21_845), true, true], // 65535 bytes
  ['€'.repeat(21_846), false, false], // 65538 bytes in 21846 UTF-16 code units
  ['😀'.repeat(16_383) + 'xxx', true, true], // 65532 + 3 bytes
  ['😀'.repeat(16_384), false, false], // 65536 bytes
  ['ä'.repeat(32_767) + 'x', true, true], // 65535 bytes
  ['ä'.repeat(32_768), false, false],
  [`#/${x(65_533)}`, false, false],
  [`${x(65_533)}/#`, false, true],
  // wildcards: never in a topic name [MQTT-3.3.2-2]; in a filter '#' alone as the last level
  // [MQTT-4.7.1-2], '+' alone as a level [MQTT-4.7.1-3]
  ['#', false, true],
  ['+', false, true],
  ['a/#', false, true],
  ['a/+', false, true],
  ['+/+', false, true],
  ['/+', false, true],
  ['+/', false, true],
  ['/#', false, true],
  ['a/+/#', false, true],
  ['+/tennis/#', false, true],
  ['$SYS/#', false, true],
  ['$SYS/+/log', false, true],
  ['a#', false, false],
  ['#a', false, false],
  ['#/a', false, false],
  ['a/#/b', false, false],
  ['a/b#', false, false],
  ['##', false, false],
  ['#/#', false, false],
  ['a+', false, false],
  ['+a', false, false],
  ['a/+b/c', false, false],
  ['a/b+', false, false],
  ['++', false, false],
  ['+#', false, false],
  ['#+', false, false],
  ['$+', false, false],
  ['$#', false, false],
  // MQTT 5 §4.8.2 shared subscriptions: `$share/<group>/<filter>`, the group non-empty [MQTT-4.8.2-1]
  // without '+' or '#', then '/' and a valid filter [MQTT-4.8.2-2]. As topic names they are plain `$` topics.
  ['$share/g/a/b', true, true],
  ['$share/g/#', false, true],
  ['$share/g/+/x', false, true],
  ['$share/g/$SYS/#', false, true],
  ['$share/g//', true, true],
  ['$share/group-1/a', true, true],
  ['$share/g', true, false],
  ['$share/', true, false],
  ['$share//a', true, false],
  ['$share/g/', true, false],
  ['$share/g+/a', false, false],
  ['$share/g#/a', false, false],
  ['$share/+/a', false, false],
  ['$share/#', false, false],
  ['$share/g/a#', false, false],
  ['$share/g/#/a', false, false],
  ['$share/g/a\u0000', false, false],
  // the prefix counts towards the 65535 bytes: the whole filter is on the wire
  [`$share/g/${x(65_526)}`, true, true],
  [`$share/g/${x(65_527)}`, false, false],
  // not shared subscriptions: only `$share/` starts one (case-sensitive)
  ['$share', true, true],
  ['$shared/g/a', true, true],
  ['$SHARE/g', true, true],
]);

export const topicMatchCases: readonly TopicMatchCase[] = Object.freeze([
  // exact levels, case-sensitive (§4.7.3)
  ['a/b', 'a/b', true],
  ['a/b', 'a/c', false],
  ['a/b', 'a/b/c', false],
  ['a/b/c', 'a/b', false],
  ['a/b', 'a/b/', false],
  ['a/b', 'a//b', false],
  ['a/b', 'ab', false],
  ['ACCOUNTS', 'Accounts', false],
  ['Accounts payable', 'Accounts payable', true],
  ['/', '/', true],
  ['//', '/', false],
  ['a//b', 'a//b', true],
  ['ä/ö', 'ä/ö', true],
  ['€', '€/', false],
  // §4.7.1.2 multi-level wildcard: matches the parent level too [MQTT-4.7.1-2]
  ['sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['sport/#', 'sport', true],
  ['#', 'a', true],
  ['#', 'a/b/c', true],
  ['#', '/', true],
  ['#', '/a', true],
  ['/#', '/', true],
  ['/#', 'a', false],
  ['a/#', 'a', true],
  ['a/#', 'a/', true],
  ['a/#', 'ab', false],
  ['a/b/#', 'a', false],
  ['a/+/#', 'a/b', true],
  ['a/+/#', 'a', false],
  ['€/#', '€', true],
  // §4.7.1.3 single-level wildcard: exactly one level, an empty one too [MQTT-4.7.1-3]
  ['sport/tennis/+', 'sport/tennis/player1', true],
  ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
  ['sport/+', 'sport', false],
  ['sport/+', 'sport/', true],
  ['+/+', '/finance', true],
  ['/+', '/finance', true],
  ['+', '/finance', false],
  ['+', '/', false],
  ['+/+', '/', true],
  ['+', 'a', true],
  ['+/tennis/#', 'sport/tennis', true],
  ['+/tennis/#', 'sport/tennis/player1/ranking', true],
  ['a/+/c', 'a/b', false],
  ['x/+/y', 'x//y', true],
  ['x/+/y', 'x/a/b/y', false],
  ['+/a', '/a', true],
  ['ä/+', 'ä/ö', true],
  // Kanto's gateway command topics: an empty tenant level, and an empty device level for the gateway
  ['command//+/req/#', 'command//demo:device:edge:containers/req/1/install', true],
  ['command//+/req/#', 'command///req/1/x', true],
  ['command//+/res/#', 'command///res/4711/204', true],
  ['command///req/#', 'command///req/4711/install', true],
  ['command///req/#', 'command//x/req/4711/install', false],
  // a matcher walking characters must not match across level boundaries
  ['ab/+', 'a/b', false],
  ['a/+', 'ab/c', false],
  ['+/b', 'a/bc', false],
  ['+/bc', 'a/b', false],
  ['a/+/c', 'a/bc', false],
  // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'
  ['#', '$SYS/broker/log/N', false],
  ['#', '$', false],
  ['+', '$', false],
  ['+/x', '$SYS/x', false],
  ['+/broker/#', '$SYS/broker/log/N', false],
  ['$SYS/#', '$SYS/broker/log/N', true],
  ['$SYS/#', '$SYS', true],
  ['$SYS/+/log/#', '$SYS/broker/log/M/subscribe', true],
  ['$SYS/broker/log/+', '$SYS/broker/log/N', true],
  ['$', '$', true],
  // ... only at the first level, and only for topics starting with '$'
  ['#', 'a/$SYS', true],
  ['+/$x', 'a/$x', true],
  ['+/+', 'a/$', true],
  // MQTT 5 §4.8.2: a shared subscription matches like its filter, never the literal `$share/…` topic;
  // [MQTT-4.7.2-1] applies to the filter after `$share/<group>/`
  ['$share/g1/a/+', 'a/b', true],
  ['$share/g1/a/+', 'g1/a/b', false],
  ['$share/g1/a/+', '$share/g1/a/b', false],
  ['$share/g/a', 'a', true],
  ['$share/g/a', '$share/g/a', false],
  ['$share/g/a', 'g/a', false],
  ['$share/g/#', 'a/b', true],
  ['$share/g/#', '$SYS/x', false],
  ['$share/g/+/x', '$SYS/x', false],
  ['$share/g/$SYS/#', '$SYS/x', true],
  ['$share/g/$share/h/a', '$share/h/a', true],
  ['$share/g//', '/', true],
  // not shared subscriptions: plain `$` filters
  ['$share', '$share', true],
  ['$shared/g/a', '$shared/g/a', true],
  ['$shared/g/a', 'a', false],
]);

export const filterCoverCases: readonly FilterCoverCase[] = Object.freeze([
  ['#', 'a/b', true],
  ['#', '#', true],
  ['#', '+/x', true],
  ['#', '/', true],
  ['#', '$SYS/#', false],
  ['+/#', '$SYS/x', false],
  ['$SYS/#', '$SYS/broker/log/#', true],
  ['$SYS/#', '$SYS', true],
  ['a/#', 'a', true],
  ['a/#', 'a/#', true],
  ['a/#', 'a/+/c', true],
  ['a/#', '#', false],
  ['a/#', 'ab', false],
  ['a/+', 'a/b', true],
  ['a/+', 'a/+', true],
  ['a/+', 'a/', true],
  ['a/+', 'a/#', false],
  ['a/+', 'a', false],
  ['a/b', 'a/+', false],
  ['a/b', 'a/b', true],
  ['a/b', 'a/b/c', false],
  ['+/b', 'a/b', true],
  ['+/b', '/b', true],
  ['+', '/', false],
  ['+/+', '/+', true],
  ['dev/c1/#', 'dev/c2/x', false],
]);
