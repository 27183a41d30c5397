// JSON pointers with RFC 6901 escaping, RFC 7396 merge patches and the JSON value helpers: the tree
// operations of the dev cloud's twin store and of the connector's local twins and cloud mappings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deleteAt,
  escapeSegment,
  formatPointer,
  getAt,
  nestAt,
  parsePointer,
  setAt,
  unescapeSegment,
  valueAt,
} from './json-pointer';
import { jsonEqual, parseJsonObject } from './json-value';
import { mergePatch, withRemovedAsNull } from './merge-patch';

describe('JSON pointer (RFC 6901)', () => {
  it('escapes and unescapes segments', () => {
    assert.equal(escapeSegment('a/b~c'), 'a~1b~0c');
    assert.equal(unescapeSegment('a~1b~0c'), 'a/b~c');
    assert.equal(unescapeSegment('~01'), '~1');
    assert.equal(unescapeSegment('a~2'), undefined);
    assert.equal(unescapeSegment('a~'), undefined);
  });

  const pointers: Array<[string, readonly string[]]> = [
    ['/a/b~1c/d~0e/~01', ['a', 'b/c', 'd~e', '~1']],
    ['/a~1b/c', ['a/b', 'c']],
    ['/__proto__', ['__proto__']],
    ['/', []],
  ];
  for (const [pointer, segments] of pointers) {
    it(`parses and formats ${pointer}`, () => {
      assert.deepEqual(parsePointer(pointer), { ok: true, segments });
      assert.equal(formatPointer(segments), pointer);
    });
  }
  it('takes "" as the root too', () => assert.deepEqual(parsePointer(''), { ok: true, segments: [] }));

  const bad: Array<[unknown, string]> = [
    ['a/b', 'no leading slash'],
    ['/a//b', 'empty level'],
    ['/a/', 'empty last level'],
    ['/a~2', 'bad escape'],
    ['/a~', 'dangling tilde'],
    [`/${'x/'.repeat(100)}x`, 'too deep'],
    [`/${'x'.repeat(5000)}`, 'too long'],
    [42, 'not a string'],
    [null, 'null'],
  ];
  for (const [pointer, why] of bad) {
    it(`refuses ${why} without throwing`, () => {
      const result = parsePointer(pointer);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.problems.length > 0);
    });
  }

  it('bounds length and depth by the limits', () => {
    assert.equal(parsePointer('/a/b/c', { maxLength: 100, maxSegments: 2 }).ok, false);
    assert.equal(parsePointer('/a/b', { maxLength: 100, maxSegments: 2 }).ok, true);
    assert.equal(parsePointer('/abcdef', { maxLength: 4, maxSegments: 2 }).ok, false);
  });

  it('reads, sets and deletes without changing the input', () => {
    const root = Object.freeze({ a: Object.freeze({ b: 1 }), c: Object.freeze([1, 2]) });
    assert.deepEqual(getAt(root, ['a', 'b']), { found: true, value: 1 });
    assert.deepEqual(getAt(root, ['a', 'x']), { found: false });
    assert.deepEqual(getAt(root, ['x', 'y']), { found: false });
    assert.deepEqual(getAt(root, ['c', '0']), { found: false }, 'arrays are leaves, as Ditto');
    assert.deepEqual(getAt(root, []), { found: true, value: root });
    assert.deepEqual(setAt(root, ['a', 'd', 'e'], 2), { a: { b: 1, d: { e: 2 } }, c: [1, 2] });
    assert.deepEqual(setAt(root, ['c', 'x'], 3), { a: { b: 1 }, c: { x: 3 } }, 'a non-object on the way becomes an object');
    assert.deepEqual(setAt(root, ['a', 'b', 'x'], 2), { a: { b: { x: 2 } }, c: [1, 2] }, 'a leaf on the way becomes an object');
    assert.equal(setAt(root, [], 9), root, 'no segments: the root as it was');
    assert.deepEqual(deleteAt(root, ['a', 'b']), { a: {}, c: [1, 2] });
    assert.equal(deleteAt(root, ['a', 'x']), undefined);
    assert.equal(deleteAt(root, ['c', 'x']), undefined);
    assert.equal(deleteAt(root, []), undefined);
  });

  it('nests a value under a pointer, and reads a value or undefined', () => {
    assert.deepEqual(nestAt(['a', 'b'], 1), { a: { b: 1 } });
    assert.equal(nestAt([], 1), 1);
    assert.equal(valueAt({ a: { b: 1 } }, ['a', 'b']), 1);
    assert.equal(valueAt({ a: { b: 1 } }, ['a', 'x']), undefined);
    assert.equal(valueAt(5, []), 5);
  });

  it('keeps a "__proto__" key an own key, never a prototype', () => {
    const nested = nestAt(['__proto__', 'polluted'], true);
    assert.equal(Object.getPrototypeOf(nested), Object.prototype);
    assert.equal(valueAt(nested, ['__proto__', 'polluted']), true);
    const out = setAt({}, ['__proto__', 'polluted'], true);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.ok(Object.hasOwn(out, '__proto__'), 'an own key');
    assert.deepEqual(getAt(out, ['__proto__', 'polluted']), { found: true, value: true });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });
});

describe('mergePatch (RFC 7396)', () => {
  // RFC 7396 Appendix A.
  const cases: Array<[unknown, unknown, unknown]> = [
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
  for (const [target, patch, expected] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const before = structuredClone(target);
      assert.deepEqual(mergePatch(target, patch), expected);
      assert.deepEqual(target, before, 'the target is not changed');
    });
  }
  it('patches nothing: what a merge leaves where there was no value before', () => {
    assert.deepEqual(mergePatch(undefined, { a: null, b: { c: null, d: 1 } }), { b: { d: 1 } });
  });

  it('does not pollute prototypes', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    const out = mergePatch({}, patch) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});

describe('withRemovedAsNull (a replace as a merge patch)', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['a key that is gone is null', { a: 1, b: 2 }, { a: 3 }, { a: 3, b: null }],
    ['recursively where both are objects', { n: { x: 1, y: 2 } }, { n: { x: 1 } }, { n: { x: 1, y: null } }],
    ['a non-object on either side: next as it is', { a: 1 }, 5, 5],
    ['nothing known', undefined, { a: 1 }, { a: 1 }],
    ['an array is a leaf', { a: [1, 2] }, { a: [1] }, { a: [1] }],
  ];
  for (const [name, previous, next, expected] of cases) it(name, () => assert.deepEqual(withRemovedAsNull(previous, next), expected));

  it('applied to the previous value as a merge patch gives the next value', () => {
    const previous = { a: 1, b: { c: 2, d: 3 } };
    const next = { b: { c: 4 } };
    assert.deepEqual(mergePatch(previous, withRemovedAsNull(previous, next)), next);
  });

  it('keeps "__proto__" an own key', () => {
    const out = withRemovedAsNull(JSON.parse('{"__proto__":{"x":1}}'), {}) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });
});

describe('parseJsonObject', () => {
  it('decodes a JSON object within the envelope limits, else undefined', () => {
    assert.deepEqual(parseJsonObject(Buffer.from('{"a":[1]}')), { a: [1] });
    for (const bad of ['', 'null', '[1]', '"x"', '{', `${'['.repeat(100)}${']'.repeat(100)}`]) assert.equal(parseJsonObject(Buffer.from(bad)), undefined, bad);
  });
});

describe('jsonEqual', () => {
  it('ignores key order and compares deeply', () => {
    assert.equal(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), true);
    assert.equal(jsonEqual({ a: 1 }, { a: 1, b: undefined }), false);
    assert.equal(jsonEqual([1], { 0: 1 }), false);
    assert.equal(jsonEqual(null, {}), false);
  });
});
