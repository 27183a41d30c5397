import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCorrelationCache } from './correlation-cache';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('createCorrelationCache (§2.1.5)', () => {
  it('forwards a response within timeout + 5 s, once', () => {
    const c = clock();
    const cache = createCorrelationCache({ now: c.now });
    assert.equal(cache.remember('id-1', 60_000), true);
    c.advance(65_000);
    assert.equal(cache.take('id-1'), true);
    assert.equal(cache.take('id-1'), false, 'removed on forwarding');
  });

  it('drops late responses and removes the stale entry', () => {
    const c = clock();
    const cache = createCorrelationCache({ now: c.now });
    cache.remember('id-1', 500);
    c.advance(5_501);
    assert.equal(cache.take('id-1'), false);
    assert.equal(cache.size, 0);
  });

  it('drops unsolicited responses', () => {
    const cache = createCorrelationCache({ now: clock().now });
    assert.equal(cache.take('never-seen'), false);
  });

  const notCached: Array<[string, string, number]> = [
    ['timeout 0', 'id', 0],
    ['negative timeout', 'id', -5],
    ['NaN timeout', 'id', Number.NaN],
    ['empty ID', '', 1000],
    ['oversized ID', 'x'.repeat(2000), 1000],
  ];
  for (const [name, id, timeout] of notCached) {
    it(`does not cache: ${name}`, () => {
      const cache = createCorrelationCache({ now: clock().now });
      assert.equal(cache.remember(id, timeout), false);
      assert.equal(cache.take(id), false);
    });
  }

  it('re-remembering refreshes the deadline', () => {
    const c = clock();
    const cache = createCorrelationCache({ now: c.now, graceMs: 0 });
    cache.remember('a', 1_000);
    c.advance(900);
    cache.remember('a', 1_000);
    c.advance(900);
    assert.equal(cache.take('a'), true);
  });

  it('prunes expired entries only', () => {
    const c = clock();
    const cache = createCorrelationCache({ now: c.now, graceMs: 5_000 });
    cache.remember('short', 1_000);
    cache.remember('long', 60_000);
    c.advance(6_001);
    assert.equal(cache.prune(), 1);
    assert.equal(cache.size, 1);
    assert.equal(cache.take('long'), true);
  });

  it('stays bounded under a flood, evicting the oldest', () => {
    const cache = createCorrelationCache({ now: clock().now, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) cache.remember(`id-${i}`, 60_000);
    assert.equal(cache.size, 100);
    assert.equal(cache.take('id-0'), false);
    assert.equal(cache.take('id-9999'), true);
    assert.equal(cache.take('id-9900'), true);
    assert.equal(cache.take('id-9899'), false);
    cache.clear();
    assert.equal(cache.size, 0);
  });
});
