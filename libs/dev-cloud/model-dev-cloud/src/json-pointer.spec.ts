// JSON pointers with RFC 6901 escaping and RFC 7396 merge patches, the two tree operations of the twin store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteAt, formatPointer, getAt, parsePointer, setAt, wrapAt } from './json-pointer';
import { applyMergePatch } from './merge-patch';

describe('JSON pointer', () => {
  it('parses and formats with ~0 and ~1 escaping', () => {
    assert.deepEqual(parsePointer('/a/b~1c/d~0e/~01'), { ok: true, segments: ['a', 'b/c', 'd~e', '~1'] });
    assert.equal(formatPointer(['a', 'b/c', 'd~e', '~1']), '/a/b~1c/d~0e/~01');
    assert.deepEqual(parsePointer('/'), { ok: true, segments: [] });
    assert.deepEqual(parsePointer(''), { ok: true, segments: [] });
    assert.equal(formatPointer([]), '/');
  });

  for (const [bad, why] of [
    ['a/b', 'no leading slash'],
    ['/a//b', 'empty level'],
    ['/a~2', 'bad escape'],
    ['/a~', 'dangling tilde'],
    [`/${'x/'.repeat(100)}x`, 'too deep'],
    [`/${'x'.repeat(5000)}`, 'too long'],
    [42, 'not a string'],
  ] as const) {
    it(`refuses ${why}`, () => assert.equal(parsePointer(bad).ok, false));
  }

  it('reads, sets and deletes without touching the input', () => {
    const root = Object.freeze({ a: Object.freeze({ b: 1, c: Object.freeze([1, 2]) }) });
    assert.equal(getAt(root, ['a', 'b']), 1);
    assert.equal(getAt(root, ['a', 'c', '0']), undefined, 'object keys only, as Ditto');
    assert.equal(getAt(root, ['x', 'y']), undefined);
    assert.deepEqual(setAt(root, ['a', 'd', 'e'], true), { a: { b: 1, c: [1, 2], d: { e: true } } });
    assert.deepEqual(setAt(root, ['a', 'b', 'x'], 2), { a: { b: { x: 2 }, c: [1, 2] } }, 'a non-object on the way becomes an object');
    assert.deepEqual(deleteAt(root, ['a', 'b']), { a: { c: [1, 2] } });
    assert.equal(deleteAt(root, ['a', 'zz']), root);
    assert.deepEqual(wrapAt(['x', 'y'], 3), { x: { y: 3 } });
  });

  it('keeps a "__proto__" key an own key, never a prototype', () => {
    const out = setAt({}, ['__proto__', 'polluted'], true) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.ok(Object.hasOwn(out, '__proto__'), 'an own key');
    assert.deepEqual(Object.getPrototypeOf(out), Object.prototype);
  });
});

describe('JSON merge patch (RFC 7396)', () => {
  // RFC 7396 Appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const frozen = structuredClone(target);
      assert.deepEqual(applyMergePatch(target, patch), result);
      assert.deepEqual(target, frozen, 'the target is not changed');
    });
  }
});
