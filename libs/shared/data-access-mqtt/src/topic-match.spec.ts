import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTopicFilter, isValidTopicName, topicMatches } from './topic-match';

describe('topicMatches', () => {
  // [filter, topic, expected] — MQTT 3.1.1 §4.7 and its non-normative examples.
  const cases: [string, string, boolean][] = [
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['#', 'a', true],
    ['#', 'a/b/c', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+/tennis/#', 'sport/tennis', true],
    ['edge/thing/response', 'edge/thing/response', true],
    ['command//+/req/#', 'command//demo:device:edge:containers/req/1/install', true],
    ['command///req/#', 'command///req/4711/install', true],
    ['command///req/#', 'command//x/req/4711/install', false],
    // [MQTT-4.7.2-1]: wildcards at the first level do not match $ topics.
    ['#', '$SYS/broker/log/N', false],
    ['+/broker/#', '$SYS/broker/log/N', false],
    ['$SYS/#', '$SYS/broker/log/N', true],
    ['$SYS/broker/log/+', '$SYS/broker/log/N', true],
    // Shared subscriptions match on the inner filter.
    ['$share/g1/a/+', 'a/b', true],
    ['$share/g1/a/+', 'g1/a/b', false],
    // Invalid filters match nothing.
    ['a/#/b', 'a/x/b', false],
    ['a/b#', 'a/b#', false],
    ['', '', false],
  ];
  for (const [filter, topic, expected] of cases) {
    it(`${JSON.stringify(filter)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(topic)}`, () => {
      assert.equal(topicMatches(filter, topic), expected);
    });
  }
});

describe('isValidTopicFilter', () => {
  const cases: [string, boolean][] = [
    ['a/b', true],
    ['#', true],
    ['+', true],
    ['a/+/#', true],
    ['/', true],
    ['$share/group/a/#', true],
    ['', false],
    ['a/#/b', false], // [MQTT-4.7.1-2]
    ['a#', false],
    ['a/b+', false], // [MQTT-4.7.1-3]
    ['a/+b/c', false],
    ['a\u0000b', false],
    ['$share/', false],
    ['$share/group', false],
    ['$share/g+/a', false],
    ['x'.repeat(65_536), false],
  ];
  for (const [filter, expected] of cases) {
    it(`${JSON.stringify(filter.slice(0, 20))} is ${expected ? 'valid' : 'invalid'}`, () => assert.equal(isValidTopicFilter(filter), expected));
  }
});

describe('isValidTopicName', () => {
  const cases: [string, boolean][] = [
    ['a/b', true],
    ['/', true],
    ['e', true],
    ['command///res/1/204', true],
    ['', false],
    ['a/+', false],
    ['a/#', false],
    ['a\u0000', false],
  ];
  for (const [topic, expected] of cases) {
    it(`${JSON.stringify(topic)} is ${expected ? 'valid' : 'invalid'}`, () => assert.equal(isValidTopicName(topic), expected));
  }
});
