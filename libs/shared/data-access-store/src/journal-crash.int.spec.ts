// Kill -9 a process in the middle of appending, acking and compacting, many times over the same
// directory: every reopen must succeed and show a consistent prefix of what the process did.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { captureLogger, createTempDir, randomPause, spawnNode } from '@ledge/shared/util/testing';
import { createOutbox } from './outbox';

const child = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));

describe('journal under SIGKILL', () => {
  for (const fsync of ['interval', 'never'] as const) {
    it(`always reopens to a consistent state (fsync ${fsync})`, async (t) => {
      const dir = createTempDir(t);
      // an item whose ack a kill cut off stays for good (no later round acks it): it was the last one then
      const lostAcks = new Set<number>();
      for (let round = 0; round < 3; round++) {
        const proc = spawnNode(t, child, { args: [dir, fsync] });
        await proc.waitForLog((l) => l['msg'] === 'ready', 20_000);
        await randomPause(150, 500); // the input: a random moment of the child's work for the SIGKILL, not a wait
        assert.equal(await proc.kill('SIGKILL'), 'SIGKILL');

        const captured = captureLogger();
        const outbox = createOutbox({ dir, logger: captured.logger });
        await outbox.open();
        assert.equal(captured.lines.filter((l) => l['level'] === 'error').length, 0);
        const items = outbox.peek();
        await outbox.close();
        assert.ok(items.length > 0, 'the child got some work done');
        for (const item of items) assert.equal(item.message.payload.toString(), String(item.message['n']), 'no mixed-up records');
        // every id that is a multiple of 10 was never acked: they must all be there, without gaps,
        // and at most the very last item may be one whose ack was lost with this kill
        const tens = items.filter((i) => i.id % 10 === 0).map((i) => i.id);
        assert.deepEqual(tens, Array.from({ length: tens.length }, (_, k) => (k + 1) * 10), `round ${round}`);
        const others = items.filter((i) => i.id % 10 !== 0 && !lostAcks.has(i.id));
        assert.ok(others.length <= 1 && (others.length === 0 || others[0] === items.at(-1)), `round ${round}: only the last ack may be lost (${others.map((i) => i.id).join(', ')} of ${items.length}; lost before: ${[...lostAcks].join(', ')})`);
        for (const i of others) lostAcks.add(i.id);
      }
    });
  }
});
