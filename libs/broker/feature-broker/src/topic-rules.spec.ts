import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterCovers, matchTopic, topicFilterProblem, topicNameProblem } from './topic-rules';

describe('topic rules', () => {
  it('accepts and refuses topic filters per §4.7.1', () => {
    const valid = ['#', '+', 'a', 'a/b', 'a/#', '+/+', 'a/+/c', '/', '//', '/+', '+/', 'a//b', '$SYS/#', 'sport/tennis/+', 'ä/ö'];
    const invalid = ['', 'a#', 'a/#/b', '#/a', 'a/b#', 'a+', '+a', 'a/+b', 'a/b+/c', '++', '##', 'a\u0000b'];
    for (const f of valid) assert.equal(topicFilterProblem(f), undefined, f);
    for (const f of invalid) assert.notEqual(topicFilterProblem(f), undefined, JSON.stringify(f));
  });

  it('accepts and refuses topic names', () => {
    for (const t of ['a', '/', 'a/b', '$SYS/x', ' ']) assert.equal(topicNameProblem(t), undefined, t);
    for (const t of ['', 'a/+', 'a/#', '#', 'a\u0000']) assert.notEqual(topicNameProblem(t), undefined, JSON.stringify(t));
  });

  it('matches like §4.7 including the $ rule', () => {
    const cases: [filter: string, topic: string, expected: boolean][] = [
      ['a/b', 'a/b', true],
      ['a/b', 'a/c', false],
      ['a/+', 'a/b', true],
      ['a/+', 'a', false],
      ['a/+', 'a/', true],
      ['a/+', 'a/b/c', false],
      ['a/#', 'a', true],
      ['a/#', 'a/b/c', true],
      ['#', 'a/b', true],
      ['#', '/a', true],
      ['+/+', '/a', true],
      ['+', '/a', false],
      ['#', '$SYS/x', false],
      ['+/x', '$SYS/x', false],
      ['$SYS/#', '$SYS/broker/log/N', true],
      ['$SYS/+/log/#', '$SYS/broker/log/M/subscribe', true],
      ['command//+/req/#', 'command//a:b/req/1/x', true],
      ['command//+/req/#', 'command///req/1/x', true],
    ];
    for (const [f, t, want] of cases) assert.equal(matchTopic(f, t), want, `${f} ~ ${t}`);
  });

  it('knows when one filter covers another', () => {
    const cases: [outer: string, inner: string, expected: boolean][] = [
      ['#', 'a/b', true],
      ['#', '#', true],
      ['#', '+/x', true],
      ['#', '$SYS/#', false],
      ['$SYS/#', '$SYS/broker/log/#', true],
      ['a/#', 'a', true],
      ['a/#', 'a/#', true],
      ['a/#', 'a/+/c', true],
      ['a/#', '#', false],
      ['a/+', 'a/b', true],
      ['a/+', 'a/+', true],
      ['a/+', 'a/#', false],
      ['a/b', 'a/+', false],
      ['a/b', 'a/b', true],
      ['a/b', 'a/b/c', false],
      ['+/b', 'a/b', true],
      ['dev/c1/#', 'dev/c2/x', false],
    ];
    for (const [o, i, want] of cases) assert.equal(filterCovers(o, i), want, `${o} ⊇ ${i}`);
  });
});
