// SeqList against a Map (insertion order = number order), the structure it replaced in the outgoing
// queues: random appends and removals (head-heavy like a draining queue, and scattered like an online
// client's out-of-order acknowledgements) across compactions, with removals during an iteration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@ledge/shared/util/testing';
import { SeqList } from './seq-list';


function same(list: SeqList<string>, ref: Map<number, string>, what: string): void {
  assert.equal(list.size, ref.size, `${what}: size`);
  assert.deepEqual([...list.values()], [...ref.values()], `${what}: values`);
  assert.deepEqual(list.keys(), [...ref.keys()], `${what}: keys`);
  assert.equal(list.first(), ref.values().next().value, `${what}: first`);
}

describe('SeqList', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`answers like a Map for 5,000 random operations (seed ${seed})`, () => {
      const rnd = createRng(seed);
      const list = new SeqList<string>();
      const ref = new Map<number, string>();
      let next = 1;
      for (let step = 0; step < 5000; step++) {
        const r = rnd();
        const keys = [...ref.keys()];
        if (r < 0.45) {
          next += 1 + Math.floor(rnd() * 3); // numbers with gaps, as several clients share one sequence
          list.push(next, `v${next}`);
          ref.set(next, `v${next}`);
        } else if (r < 0.7 && keys.length > 0) {
          const k = keys[0]!; // the head, as a queue drains
          assert.equal(list.delete(k), ref.delete(k));
        } else if (r < 0.9) {
          const k = keys.length > 0 && rnd() < 0.8 ? keys[Math.floor(rnd() * keys.length)]! : next + 5; // anywhere, or absent
          assert.equal(list.delete(k), ref.delete(k), `delete ${k}`);
        } else if (r < 0.97) {
          const k = keys.length > 0 ? keys[Math.floor(rnd() * keys.length)]! : 1;
          assert.equal(list.get(k), ref.get(k));
          assert.equal(list.get(k + 0.5), undefined);
        } else {
          // remove the next entry at every other step of an iteration: the iteration sees the removals
          const seen: string[] = [];
          let n = 0;
          for (const v of list.values()) {
            seen.push(v);
            const k = Number(v.slice(1));
            if (n++ % 2 === 0) {
              const after = [...ref.keys()].find((x) => x > k);
              if (after !== undefined) {
                list.delete(after);
                ref.delete(after);
              }
            }
          }
          for (const v of seen) assert.ok(ref.has(Number(v.slice(1))), `${v} yielded after its removal`);
        }
        if (step % 50 === 0) same(list, ref, `step ${step}`);
      }
      same(list, ref, 'end');
    });
  }

  it('an iteration goes on at the right entry after removals compact the list under it', () => {
    for (const behind of [false, true]) {
      const list = new SeqList<number>();
      for (let i = 1; i <= 100; i++) list.push(i * 10, i);
      const seen: number[] = [];
      for (const v of list.values()) {
        seen.push(v);
        if (v !== 50) continue;
        for (let i = 51; i <= 90; i++) list.delete(i * 10); // holes ahead outnumber the live entries
        if (behind) for (let i = 1; i < 50; i++) list.delete(i * 10); // and behind: the front is dropped
      }
      assert.deepEqual(seen, [...Array.from({ length: 50 }, (_, i) => i + 1), 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    }
  });

  it('refuses a number that is not above the last, and starts afresh once emptied', () => {
    const list = new SeqList<string>();
    list.push(5, 'a');
    assert.throws(() => list.push(5, 'b'), RangeError);
    assert.throws(() => list.push(4, 'b'), RangeError);
    assert.equal(list.delete(5), true);
    assert.equal(list.size, 0);
    assert.equal(list.first(), undefined);
    list.push(1, 'c'); // empty: any number
    assert.deepEqual([...list.values()], ['c']);
  });

  it('drains 100,000 entries from the head without keeping them', () => {
    const list = new SeqList<number>();
    for (let i = 1; i <= 100_000; i++) list.push(i, i);
    for (let i = 1; i <= 99_999; i++) assert.equal(list.delete(i), true);
    assert.deepEqual([...list.values()], [100_000]);
    assert.ok((list as unknown as { seqs: number[] }).seqs.length < 100, 'the removed head was dropped');
  });
});
