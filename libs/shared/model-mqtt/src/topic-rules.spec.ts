// The topic-rules table (./testing) against model-mqtt's own functions, plus the properties that tie
// them together: invalid input matches nothing, `$share` matches like its filter, the in-place matcher
// agrees with a level-by-level split, a covering filter matches everything the covered one does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  filterCovers,
  isValidTopicFilter,
  isValidTopicName,
  matchValidTopic,
  parseSharedSubscription,
  SHARED_SUBSCRIPTION_PREFIX,
  TOPIC_LIMITS,
  topicFilterProblem,
  topicMatches,
  topicNameProblem,
} from './index';
import { filterCoverCases, topicMatchCases, topicValidityCases } from './testing';

const show = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 24))}… (${s.length} chars)` : JSON.stringify(s));

describe('topic names and filters', () => {
  for (const [text, name, filter] of topicValidityCases) {
    it(`${show(text)} is ${name ? 'a' : 'no'} topic name and ${filter ? 'a' : 'no'} topic filter`, () => {
      assert.equal(isValidTopicName(text), name);
      assert.equal(isValidTopicFilter(text), filter);
      assert.equal(topicNameProblem(text) === undefined, name, topicNameProblem(text));
      assert.equal(topicFilterProblem(text) === undefined, filter, topicFilterProblem(text));
    });
  }

  it('counts the limit in bytes of UTF-8, as Buffer.byteLength does for strings without lone surrogates', () => {
    assert.equal(TOPIC_LIMITS.maxBytes, 65_535);
    for (const [text, name] of topicValidityCases) {
      if (name) assert.ok(Buffer.byteLength(text, 'utf8') <= TOPIC_LIMITS.maxBytes, show(text));
      if (!/\p{Cs}/u.test(text) && Buffer.byteLength(text, 'utf8') > TOPIC_LIMITS.maxBytes) {
        assert.match(topicNameProblem(text) ?? '', /longer than 65535 bytes/, show(text));
        assert.match(topicFilterProblem(text) ?? '', /longer than 65535 bytes/, show(text));
      }
    }
  });

  it('names the rule a string breaks', () => {
    const problems: [problem: string | undefined, expected: RegExp][] = [
      [topicNameProblem(''), /empty topic name/],
      [topicFilterProblem(''), /empty topic filter/],
      [topicNameProblem('a\u0000'), /U\+0000/],
      [topicNameProblem('a\ud800'), /lone surrogate/],
      [topicNameProblem('a/+'), /wildcard in topic name/],
      [topicFilterProblem('a/#/b'), /'#' must be the last level/],
      [topicFilterProblem('a/b+'), /'\+' must occupy a whole level/],
      [topicFilterProblem('$share/'), /empty share name/],
      [topicFilterProblem('$share//a'), /empty share name/],
      [topicFilterProblem('$share/g+/a'), /wildcard in the share name/],
      [topicFilterProblem('$share/g'), /no topic filter after/],
      [topicFilterProblem('$share/g/'), /no topic filter after/],
      [topicFilterProblem('$share/g/a#'), /'#' must be the last level/],
    ];
    for (const [problem, expected] of problems) assert.match(problem ?? 'valid', expected);
  });
});

describe('topic matching', () => {
  for (const [filter, topic, matches] of topicMatchCases) {
    it(`${show(filter)} ${matches ? 'matches' : 'does not match'} ${show(topic)}`, () => {
      assert.ok(isValidTopicFilter(filter) && isValidTopicName(topic), 'the table holds valid filters and names only');
      assert.equal(topicMatches(filter, topic), matches);
      assert.equal(matchValidTopic(filter, topic), matches);
    });
  }

  it('an invalid filter or topic name matches nothing', () => {
    const topics = ['a', 'a/x/b', '$SYS/x', '/'];
    for (const [text, name, filter] of topicValidityCases) {
      if (!filter) for (const t of [...topics, text]) assert.equal(topicMatches(text, t), false, `${show(text)} ~ ${show(t)}`);
      if (!name) for (const f of ['#', '+', '+/+', text]) assert.equal(topicMatches(f, text), false, `${show(f)} ~ ${show(text)}`);
    }
  });

  it('agrees with level-by-level splitting on 50,000 generated filter/topic pairs', () => {
    // the reference: the rules of §4.7 written the obvious way
    const bySplit = (filter: string, topic: string): boolean => {
      const inner = parseSharedSubscription(filter)?.filter ?? filter;
      if (topic.startsWith('$') && (inner.startsWith('+') || inner.startsWith('#'))) return false;
      const f = inner.split('/');
      const t = topic.split('/');
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
      }
      return f.length === t.length;
    };
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const words = ['a', 'b', '', 'ab', '$s', '$share'];
    let matched = 0;
    for (let k = 0; k < 50_000; k++) {
      const topic = Array.from({ length: 1 + rnd(4) }, () => words[rnd(words.length)]).join('/') || 'a';
      const n = 1 + rnd(4);
      const plain = Array.from({ length: n }, (_, i) => ['+', i === n - 1 ? '#' : 'a', 'a', 'b', '', 'ab', '$s'][rnd(7)]).join('/') || '+';
      const filter = rnd(5) === 0 ? `${SHARED_SUBSCRIPTION_PREFIX}g/${plain}` : plain;
      const want = bySplit(filter, topic);
      assert.equal(matchValidTopic(filter, topic), want, `${filter} ~ ${topic}`);
      assert.equal(topicMatches(filter, topic), want, `${filter} ~ ${topic}`);
      if (want) matched++;
    }
    assert.ok(matched > 5_000, `the generated pairs match often enough to test something (${matched})`);
  });
});

describe('shared subscriptions', () => {
  it('splits $share/<group>/<filter>', () => {
    assert.deepEqual(parseSharedSubscription('$share/g1/a/+'), { group: 'g1', filter: 'a/+' });
    assert.deepEqual(parseSharedSubscription('$share/group-1/$SYS/#'), { group: 'group-1', filter: '$SYS/#' });
    assert.deepEqual(parseSharedSubscription('$share/g//'), { group: 'g', filter: '/' });
  });

  it('parses exactly the valid filters that start with $share/', () => {
    for (const [text, , filter] of topicValidityCases) {
      const shared = parseSharedSubscription(text);
      assert.equal(shared !== undefined, filter && text.startsWith(SHARED_SUBSCRIPTION_PREFIX), show(text));
      if (shared) assert.ok(isValidTopicFilter(shared.filter), show(text));
    }
  });

  it('a shared subscription matches what its filter matches', () => {
    for (const [filter, topic] of topicMatchCases) {
      const shared = parseSharedSubscription(filter);
      // (a filter after `$share/<group>/` is a plain §4.7 filter: `$share/g/$share/h/a` matches the
      // topic `$share/h/a`, which `$share/h/a` on its own does not)
      if (shared && !shared.filter.startsWith(SHARED_SUBSCRIPTION_PREFIX)) assert.equal(topicMatches(filter, topic), topicMatches(shared.filter, topic), `${filter} ~ ${topic}`);
    }
  });
});

describe('filter coverage', () => {
  for (const [outer, inner, covers] of filterCoverCases) {
    it(`${show(outer)} ${covers ? 'covers' : 'does not cover'} ${show(inner)}`, () => {
      assert.ok(isValidTopicFilter(outer) && isValidTopicFilter(inner), 'the table holds valid filters only');
      assert.equal(filterCovers(outer, inner), covers);
    });
  }

  it('a covering filter matches every topic of the table the covered one matches', () => {
    const topics = [...new Set(topicMatchCases.map(([, t]) => t))];
    for (const [outer, inner] of filterCoverCases) {
      if (!filterCovers(outer, inner)) continue;
      for (const t of topics) if (topicMatches(inner, t)) assert.ok(topicMatches(outer, t), `${outer} ⊇ ${inner}, yet misses ${t}`);
    }
  });
});
