// Spec fixture (journal-crash.int.spec.ts): appends to an outbox as fast as it can, acking every item
// except the multiples of 10, until it is killed. Compacts often, so kills also land mid-compaction.
import { createLogger } from '@ledge/shared/util';
import { createOutbox } from '../outbox';
import type { FsyncPolicy } from '../journal';

const [dir, fsync] = process.argv.slice(2) as [string, FsyncPolicy];
const outbox = createOutbox({
  dir,
  fsync,
  logger: createLogger({ name: 'crash-child', level: 'warn', pretty: false }),
  maxItems: 1e9,
  maxBytes: 1e12,
  maxSegmentBytes: 64 * 1024,
  compactMinBytes: 128 * 1024,
});

async function main(): Promise<void> {
  await outbox.open();
  process.stdout.write(`${JSON.stringify({ msg: 'ready', queued: outbox.size })}\n`);
  for (let n = 0; ; n++) {
    const id = await outbox.append({ topic: 'crash/test', payload: Buffer.from(String(n)), n });
    if (id % 10 !== 0) await outbox.ack(id);
    if (n % 64 === 0) await new Promise((resolve) => setImmediate(resolve)); // let writes happen
  }
}
void main();
