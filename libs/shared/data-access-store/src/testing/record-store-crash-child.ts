// Spec fixture (record-store-crash.int.spec.ts): rewrites twin-like records as fast as it can until it is
// killed, and reports on stdout every iteration whose changes flush() confirmed. Each iteration puts
// `k\0<i>` and, in one batch, `a\0<i>` and `b\0<i>` with the same n (i = n % keys). Compacts often, so
// kills also land mid-compaction.
//   record-store-crash-child.ts <dir> <fsync> <first n> <keys>
import { createLogger } from '@ledge/shared/util';
import type { FsyncPolicy } from '../journal';
import { createRecordStore } from '../record-store';

const [dir, fsync, start, keys] = process.argv.slice(2) as [string, FsyncPolicy, string, string];
const KEYS = Number(keys);
const store = createRecordStore({
  dir,
  fsync,
  logger: createLogger({ name: 'record-store-crash-child', level: 'warn', pretty: false }),
  maxSegmentBytes: 32 * 1024,
  compactMinBytes: 64 * 1024,
});

async function main(): Promise<void> {
  await store.open();
  process.stdout.write(`${JSON.stringify({ msg: 'ready', keys: store.size })}\n`);
  for (let n = Number(start); ; n++) {
    const i = n % KEYS;
    store.put(`k\0${i}`, { n, pad: 'x'.repeat(n % 200) });
    store.batch([{ put: [`a\0${i}`, { n }] }, { put: [`b\0${i}`, { n, list: [n, String(n)] }] }]);
    if (n % 8 === 7) {
      await store.flush();
      // everything up to n is durable now (written + fdatasync'ed, or written under 'never')
      process.stdout.write(`${JSON.stringify({ msg: 'flushed', n })}\n`);
    }
  }
}
void main();
