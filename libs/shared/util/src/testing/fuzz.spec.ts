// The fuzz helpers: a seed replays the same mutants; mutants differ from their input; notJson is never a JSON object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, mutate, notJson } from './fuzz';

const valid = { correlationId: 'c', options: { url: 'http://127.0.0.1/x', n: 1 }, list: [1, 'two', { three: true }] };

describe('fuzz helpers', () => {
  it('the same seed gives the same mutants, another seed others', () => {
    const run = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => JSON.stringify(mutate(valid, rng, ['/extra'])));
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });
  it('mutants almost always differ from the input, which stays untouched', () => {
    const rng = createRng(1);
    const before = JSON.stringify(valid);
    const same = Array.from({ length: 500 }, () => JSON.stringify(mutate(valid, rng))).filter((m) => m === before).length;
    assert.ok(same < 50, `${same} of 500 mutants equal the input`);
    assert.equal(JSON.stringify(valid), before);
  });
  it('notJson is never a JSON object', () => {
    const rng = createRng(2);
    for (let i = 0; i < 300; i++) {
      const b = notJson(valid, rng);
      let parsed: unknown;
      try {
        parsed = JSON.parse(b.toString());
      } catch {
        continue;
      }
      assert.ok(parsed === null || typeof parsed !== 'object' || Array.isArray(parsed), b.toString());
    }
  });
});
