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
      ['a/+/#', 'a/b', true],
      ['a/+/c', 'a/b', false],
      ['a/b/#', 'a', false],
      ['+', '/', false],
      ['+/+', '/', true],
      ['ab/+', 'a/b', false],
      ['a/+', 'ab/c', false],
      ['+/b', 'a/bc', false],
      ['+/bc', 'a/b', false],
    ];
    for (const [f, t, want] of cases) assert.equal(matchTopic(f, t), want, `${f} ~ ${t}`);
  });

  it('agrees with level-by-level splitting on 50,000 generated filter/topic pairs', () => {
    const bySplit = (filter: string, topic: string): boolean => {
      if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
      const f = filter.split('/');
      const t = topic.split('/');
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
      }
      return f.length === t.length;
    };
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const words = ['a', 'b', '', 'ab', '$s'];
    for (let k = 0; k < 50_000; k++) {
      const topic = Array.from({ length: 1 + rnd(4) }, () => words[rnd(words.length)]).join('/') || 'a';
      const n = 1 + rnd(4);
      const filter = Array.from({ length: n }, (_, i) => [ '+', i === n - 1 ? '#' : 'a', 'a', 'b', '', 'ab'][rnd(6)]).join('/') || '+';
      assert.equal(matchTopic(filter, topic), bySplit(filter, topic), `${filter} ~ ${topic}`);
    }
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
