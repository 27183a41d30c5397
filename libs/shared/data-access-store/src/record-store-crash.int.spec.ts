// Kill -9 a process in the middle of putting, batching and compacting records, several times over the
// same directory (issue 20: the twin store survives what the outbox survives). After every reopen, each
// record the process reported as flushed is there with its last flushed value or a later one, and each
// batch is whole.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { captureLogger, createTempDir, spawnNode } from '@ledge/shared/util/testing';
import { createRecordStore } from './record-store';

const child = fileURLToPath(new URL('./testing/record-store-crash-child.ts', import.meta.url));
const KEYS = 40;
const ROUND = 1_000_000; // round r's n starts at r × ROUND, a multiple of KEYS

describe('record store under SIGKILL', () => {
  for (const fsync of ['always', 'interval', 'never'] as const) {
    it(`keeps every flushed record and every batch whole (fsync ${fsync})`, async (t) => {
      const dir = createTempDir(t);
      /** Highest n reported flushed per key index, over all rounds. */
      const flushed = new Map<number, number>();
      let snapshots = 0;
      for (let round = 1; round <= 3; round++) {
        const proc = spawnNode(t, child, { args: [dir, fsync, String(round * ROUND), String(KEYS)] });
        await proc.waitForLog((l) => l['msg'] === 'ready', 20_000);
        // kill once the child is well into its stream: after 20 to 120 confirmed flushes
        const target = round * ROUND + 8 * (20 + Math.floor(Math.random() * 100));
        await proc.waitForLog((l) => l['msg'] === 'flushed' && (l['n'] as number) >= target, 30_000);
        assert.equal(await proc.kill('SIGKILL'), 'SIGKILL');
        let last = 0;
        for (const l of proc.logs) if (l['msg'] === 'flushed') last = Math.max(last, l['n'] as number);
        for (let n = Math.max(round * ROUND, last - KEYS + 1); n <= last; n++) flushed.set(n % KEYS, n);

        const captured = captureLogger();
        const store = createRecordStore({ dir, logger: captured.logger });
        await store.open();
        t.after(() => store.close());
        assert.equal(captured.lines.filter((l) => l['level'] === 'error').length, 0);
        for (const [i, n] of flushed) {
          const k = store.get(`k\0${i}`) as { n: number; pad: string } | undefined;
          assert.ok(k !== undefined && k.n >= n, `round ${round}: k\\0${i} is ${k?.n}, flushed ${n}`);
          assert.equal(k.n % KEYS, i, 'no mixed-up records');
          assert.equal(k.pad.length, k.n % 200);
        }
        for (let i = 0; i < KEYS; i++) {
          const a = store.get(`a\0${i}`) as { n: number } | undefined;
          const b = store.get(`b\0${i}`) as { n: number; list: unknown[] } | undefined;
          assert.equal(a?.n, b?.n, `round ${round}: batch ${i} torn (a ${a?.n}, b ${b?.n})`);
          if (b) assert.deepEqual(b.list, [b.n, String(b.n)]);
          if (flushed.has(i)) assert.ok(a !== undefined && a.n >= flushed.get(i)!, `round ${round}: batch ${i} lost`);
        }
        snapshots += store.stats().journal.snapshotBytes > 0 ? 1 : 0;
        await store.close();
      }
      assert.ok(snapshots > 0, 'the child compacted before some kill');
    });
  }
});
