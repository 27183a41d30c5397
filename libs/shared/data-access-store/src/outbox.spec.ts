import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createOutbox, type OutboxOptions } from './outbox';

async function open(dir: string, opts: Partial<OutboxOptions> = {}) {
  const captured = captureLogger();
  const outbox = createOutbox({ dir, logger: captured.logger, ...opts });
  await outbox.open();
  return { outbox, lines: captured.lines };
}

const msg = (i: number) => ({ topic: 'telemetry', payload: Buffer.from(`m${i}`), qos: 1, properties: { correlationData: Buffer.from([i]) } });
const texts = (items: { message: { payload: Buffer } }[]) => items.map((i) => i.message.payload.toString());

describe('createOutbox', () => {
  it('keeps unacknowledged messages, in order, across a restart', async (t) => {
    const dir = createTempDir(t);
    const { outbox } = await open(dir);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await outbox.append(msg(i)));
    assert.deepEqual(ids, [1, 2, 3, 4, 5]);
    assert.equal(await outbox.ack(ids[1]!), true);
    assert.equal(await outbox.ack(ids[1]!), false, 'a second ack is a no-op');
    await outbox.close();

    const { outbox: again } = await open(dir);
    t.after(() => again.close());
    assert.deepEqual(texts(again.peek()), ['m0', 'm2', 'm3', 'm4']);
    assert.deepEqual(again.peek(2).map((i) => i.id), [1, 3]);
    assert.deepEqual(again.peek(1)[0]!.message, msg(0));
    assert.equal(await again.append(msg(5)), 6, 'ids are never reused');
  });

  it('drops the oldest message when full, counts it, and the drop survives a restart', async (t) => {
    const dir = createTempDir(t);
    const { outbox, lines } = await open(dir, { maxItems: 3 });
    for (let i = 0; i < 5; i++) await outbox.append(msg(i));
    assert.deepEqual(texts(outbox.peek()), ['m2', 'm3', 'm4']);
    assert.equal(outbox.stats().dropped, 2);
    assert.equal(lines.filter((l) => l['code'] === 'LEDGE_STORE_QUEUE_FULL').length, 1);
    await outbox.close();
    const { outbox: again } = await open(dir, { maxItems: 100 });
    t.after(() => again.close());
    assert.deepEqual(texts(again.peek()), ['m2', 'm3', 'm4']);
  });

  it('bounds bytes as well as items', async (t) => {
    const dir = createTempDir(t);
    const { outbox } = await open(dir, { maxBytes: 3 * 11 }); // 'telemetry' + 2 bytes
    t.after(() => outbox.close());
    for (let i = 0; i < 6; i++) await outbox.append(msg(i));
    assert.deepEqual(texts(outbox.peek()), ['m3', 'm4', 'm5']);
    assert.equal(outbox.stats().queuedBytes, 33);
  });

  it('survives a torn tail and a compaction', async (t) => {
    const dir = createTempDir(t);
    const { outbox } = await open(dir);
    for (let i = 0; i < 50; i++) {
      const id = await outbox.append(msg(i));
      if (i % 5 !== 0) await outbox.ack(id);
    }
    await outbox.compact();
    await outbox.append(msg(50));
    await outbox.append(msg(51));
    await outbox.close();
    const seg = readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!;
    truncateSync(join(dir, seg), statSync(join(dir, seg)).size - 1);
    const { outbox: again, lines } = await open(dir);
    t.after(() => again.close());
    assert.deepEqual(texts(again.peek()), ['m0', 'm5', 'm10', 'm15', 'm20', 'm25', 'm30', 'm35', 'm40', 'm45', 'm50']);
    assert.ok(lines.some((l) => l['code'] === 'LEDGE_STORE_CORRUPT_RECORD'));
  });

  it('rejects use before open and after close', async (t) => {
    const dir = createTempDir(t);
    const outbox = createOutbox({ dir, logger: captureLogger().logger });
    await assert.rejects(outbox.append(msg(0)), { code: 'LEDGE_STORE_NOT_OPEN' });
    await outbox.open();
    await outbox.close();
    await assert.rejects(outbox.append(msg(0)), { code: 'LEDGE_STORE_CLOSED' });
    assert.throws(() => createOutbox({ dir, logger: captureLogger().logger, maxItems: -1 }), { code: 'LEDGE_STORE_INVALID_OPTIONS' });
  });
});
