import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lazy, lazyResource } from './lazy';

describe('lazy', () => {
  it('loads on the first call only, and every caller shares that load', async () => {
    let loads = 0;
    const get = lazy(async () => ({ n: ++loads }));
    assert.equal(loads, 0);
    const [a, b] = await Promise.all([get(), get()]);
    assert.equal(loads, 1);
    assert.equal(a, b);
    assert.equal(await get(), a);
  });
  it('a failed load is not cached: the next call tries again', async () => {
    let calls = 0;
    const get = lazy(async () => {
      if (++calls === 1) throw new Error('first fails');
      return calls;
    });
    await assert.rejects(get(), /first fails/);
    assert.equal(await get(), 2);
    assert.equal(await get(), 2);
  });
});

describe('lazyResource', () => {
  const counter = () => {
    const made: { closed: number }[] = [];
    const res = lazyResource(async () => {
      const r = { closed: 0, close: async () => void r.closed++ };
      made.push(r);
      return r;
    });
    return { made, res };
  };
  it('close() before any get() creates nothing and closes nothing', async () => {
    const { made, res } = counter();
    await res.close();
    assert.equal(made.length, 0);
  });
  it('creates once, closes what it created once, and a get() after close() makes a new one', async () => {
    const { made, res } = counter();
    const [a, b] = await Promise.all([res.get(), res.get()]);
    assert.equal(a, b);
    await res.close();
    await res.close();
    assert.deepEqual(made.map((m) => m.closed), [1]);
    const c = await res.get();
    assert.notEqual(c, a);
    await res.close();
    assert.deepEqual(made.map((m) => m.closed), [1, 1]);
  });
  it('a failed creation is retried by the next get(), and close() after it does not throw', async () => {
    let n = 0;
    const res = lazyResource(async () => {
      if (++n === 1) throw new Error('cannot create');
      return { close: async () => undefined };
    });
    await assert.rejects(res.get(), /cannot create/);
    await res.close();
    await res.get();
    assert.equal(n, 2);
  });
});
