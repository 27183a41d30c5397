import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createOutbox } from '@ledge/shared/data-access-store';
import { createLogger } from '@ledge/shared/util';
import { createOutboxQueue, type MessageClass } from './outbox-queue';

async function setup(t: { after(fn: () => unknown): void }, maxMessages: number, maxBytes = 1 << 20) {
  const dir = mkdtempSync(join(tmpdir(), 'ledge-oq-'));
  const outbox = createOutbox({ dir, logger: createLogger({ name: 't', level: 'silent' }), maxItems: 1000, maxBytes: 1 << 22 });
  await outbox.open();
  t.after(async () => {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const q = createOutboxQueue({ outbox, maxMessages, maxBytes });
  const add = (cls: MessageClass, n: number) => q.append({ topic: cls, payload: Buffer.from(String(n)), qos: 1, cls, ts: n });
  return { q, add, outbox, dir };
}

describe('outbox queue overflow rule', () => {
  it('drops the oldest telemetry first, then the oldest events; counts both', async (t) => {
    const { q, add } = await setup(t, 3);
    await add('e', 1);
    await add('t', 2);
    await add('e', 3);
    await add('e', 4); // full: telemetry 2 goes
    assert.deepEqual([...q.entries()].map((e) => e.payload.toString()), ['1', '3', '4']);
    await add('e', 5); // no telemetry left: the oldest event goes
    assert.deepEqual([...q.entries()].map((e) => e.payload.toString()), ['3', '4', '5']);
    assert.equal(await add('t', 6), undefined, 'new telemetry never displaces an event');
    assert.deepEqual(q.dropped, { telemetry: 2, events: 1, responses: 0 });
  });

  it('never drops a message in flight; bounded by bytes too', async (t) => {
    const { q, add } = await setup(t, 100, 4);
    const first = await add('t', 1);
    first!.inFlight = true;
    await add('t', 2);
    await add('t', 3);
    assert.deepEqual([...q.entries()].map((e) => e.payload.toString()), ['1', '3']);
  });

  it('survives a reopen (state is in the journal)', async (t) => {
    const { q, add, outbox, dir } = await setup(t, 2);
    await add('e', 1);
    await add('e', 2);
    await add('e', 3);
    const e = [...q.entries()][0]!;
    await q.remove(e);
    await outbox.close();
    const again = createOutbox({ dir, logger: createLogger({ name: 't', level: 'silent' }) });
    await again.open();
    t.after(() => again.close());
    const q2 = createOutboxQueue({ outbox: again, maxMessages: 2, maxBytes: 1 << 20 });
    assert.deepEqual(q2.load().map((x) => [x.payload.toString(), x.cls, x.ts]), [['3', 'e', 3]]);
  });
});
