// IoT Hub's twin property rules: what breaks them is left out with a reason, the rest is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitiseTwinPatch, twinKeyProblem } from './twin-properties';

const nest = (levels: number, leaf: unknown): unknown => (levels === 0 ? leaf : { l: nest(levels - 1, leaf) });

describe('twin property rules', () => {
  const keys: [key: string, ok: boolean][] = [
    ['temperature', true],
    ['edge:containers:Container:abc', true],
    ['ünïcode-ok_1', true],
    ['', false],
    ['a.b', false],
    ['$version', false],
    ['a b', false],
    ['tab\there', false],
    ['c1\u0085', false],
    ['x'.repeat(1024), true],
    ['x'.repeat(1025), false],
    ['é'.repeat(513), false],
  ];
  for (const [key, ok] of keys) {
    it(`key ${JSON.stringify(key.slice(0, 20))}${key.length > 20 ? '…' : ''} is ${ok ? 'allowed' : 'refused'}`, () => {
      assert.equal(twinKeyProblem(key) === undefined, ok);
    });
  }

  it('leaves out bad keys, deep objects, long strings and huge integers, keeping the rest', () => {
    const { patch, problems } = sanitiseTwinPatch({
      meter: { ok: 1, 'bad.key': 2, text: 's'.repeat(4097), big: 2 ** 53, float: 1.5, nested: { 'x y': 1, keep: true } },
      deep: nest(10, 1) as object, // the section's object is level 1, the innermost level 10: allowed
      tooDeep: nest(11, 1) as object, // its innermost object is level 11; the parents left empty go too
    });
    assert.deepEqual(patch, { meter: { ok: 1, float: 1.5, nested: { keep: true } }, deep: nest(10, 1) });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems.join('\n'), /"\/meter\/bad\.key" left out: a name with a control character, "\.", "\$" or a space/);
    assert.match(problems.join('\n'), /"\/meter\/text" left out: a string longer than 4096 bytes/);
    assert.match(problems.join('\n'), /"\/meter\/big" left out: an integer beyond/);
    assert.match(problems.join('\n'), /"\/meter\/nested\/x y" left out/);
    assert.match(problems.join('\n'), /"\/tooDeep(\/l){10}" left out: nested deeper than 10 levels/);
  });

  it('keeps null (removal) and arrays, but refuses an array holding a bad key as a whole', () => {
    const { patch, problems } = sanitiseTwinPatch({ gone: null, f: { list: [1, { a: 2 }], badList: [{ 'a.b': 1 }, 2] } });
    assert.deepEqual(patch, { gone: null, f: { list: [1, { a: 2 }] } });
    assert.deepEqual(problems.length, 1);
    assert.match(problems[0]!, /"\/f\/badList" left out: an array with "\/f\/badList\/0\/a\.b"/);
  });

  it('a section whose every property breaks the rules is left out entirely', () => {
    const { patch, problems } = sanitiseTwinPatch({ f: { 'a.b': 1 }, '$meta': { x: 1 } });
    assert.deepEqual(patch, {});
    assert.equal(problems.length, 2);
  });
});
