// What the bridge relies on from an Outbox (@ledge/shared/data-access-store), as a contract suite (STYLE.md:
// the in-memory and the real implementation pass the same one; after aedes-persistence's abstract.js).
// Durability across a reopen is the store's own spec; this is the behaviour within one open.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Outbox } from '@ledge/shared/data-access-store';

export interface OutboxContractOptions {
  /** A fresh, unopened outbox with these bounds; register its cleanup on `t`. */
  readonly make: (t: { after(fn: () => unknown): void }, bounds: { maxItems: number; maxBytes: number }) => Outbox | Promise<Outbox>;
}

const msg = (topic: string, payload = topic, extra: Record<string, unknown> = {}) => ({ topic, payload: Buffer.from(payload), ...extra });
const topics = (o: Outbox) => o.peek().map((i) => i.message.topic);

export function outboxContract(name: string, c: OutboxContractOptions): void {
  const open = async (t: { after(fn: () => unknown): void }, maxItems = 1000, maxBytes = 1 << 20) => {
    const o = await c.make(t, { maxItems, maxBytes });
    await o.open();
    t.after(() => o.close());
    return o;
  };

  describe(`Outbox contract: ${name}`, () => {
    it('rejects an append before open()', async (t) => {
      const o = await c.make(t, { maxItems: 10, maxBytes: 1 << 20 });
      await assert.rejects(o.append(msg('a')));
    });

    it('appends with increasing ids; peek gives the oldest first, extra fields kept', async (t) => {
      const o = await open(t);
      const a = await o.append(msg('a', 'pa', { q: 1, c: 'e', ts: 7 }));
      const b = await o.append(msg('b'));
      assert.ok(b > a);
      assert.equal(o.size, 2);
      const [first] = o.peek(1);
      assert.equal(first!.id, a);
      assert.deepEqual({ ...first!.message, payload: first!.message.payload.toString() }, { topic: 'a', payload: 'pa', q: 1, c: 'e', ts: 7 });
      assert.deepEqual(topics(o), ['a', 'b']);
    });

    it('an append is visible to peek before its promise settles (the bridge counts on it)', async (t) => {
      const o = await open(t);
      const pending = o.append(msg('a'));
      assert.deepEqual(topics(o), ['a']);
      await pending;
    });

    it('ack removes once; ids are never reused', async (t) => {
      const o = await open(t);
      const a = await o.append(msg('a'));
      const b = await o.append(msg('b'));
      assert.equal(await o.ack(b), true);
      assert.equal(await o.ack(b), false);
      assert.equal(await o.ack(9999), false);
      assert.deepEqual(topics(o), ['a']);
      const c2 = await o.append(msg('c'));
      assert.ok(c2 > b, 'a new id after an acked one');
      assert.ok(c2 > a);
      await o.flush();
      assert.equal(o.size, 2);
    });

    it('beyond maxItems or maxBytes the oldest goes', async (t) => {
      const byCount = await open(t, 2);
      for (const x of ['a', 'b', 'c']) await byCount.append(msg(x));
      assert.deepEqual(topics(byCount), ['b', 'c']);
      const byBytes = await open(t, 100, 6); // 'x' + 2-byte payload = 3 bytes each
      for (const x of ['x', 'y', 'z']) await byBytes.append(msg(x, '12'));
      assert.deepEqual(topics(byBytes), ['y', 'z']);
      assert.equal(byBytes.stats().dropped, 1);
    });
  });
}
