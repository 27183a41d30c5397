import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withDefaults } from './defaults';

describe('withDefaults', () => {
  it('an option overrides its default; an undefined option keeps it; other keys pass through', () => {
    const d = { a: 1, b: 'x', c: true };
    const o: { a?: number; b?: string; extra?: number } = { a: 5, b: undefined, extra: 0 };
    assert.deepEqual(withDefaults(d, o), { a: 5, b: 'x', c: true, extra: 0 });
  });
  it('falsy values that are not undefined win (0, "", false, null)', () => {
    assert.deepEqual(withDefaults({ a: 1, b: 'x', c: true, d: 2 as number | null }, { a: 0, b: '', c: false, d: null }), { a: 0, b: '', c: false, d: null });
  });
  it('no options: a copy of the defaults, never the defaults object itself', () => {
    const d = Object.freeze({ a: 1 });
    const r = withDefaults(d, undefined);
    assert.deepEqual(r, { a: 1 });
    assert.notEqual(r, d);
  });
});
