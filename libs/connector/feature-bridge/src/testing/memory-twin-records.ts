// The local twins' record store in memory, for bridge specs: what was flushed is what a restart sees
// (`durable()`), so a spec can "kill" the connector between a change and its flush.
import type { TwinRecordStore } from '../bridge-options';
import type { TwinRecordOp } from '../twin-store';

export interface MemoryTwinRecords extends TwinRecordStore {
  /** The records as of the last flush (a copy): hand it to a new store to model a restart. */
  durable(): Map<string, unknown>;
  readonly flushes: number;
}

export function createMemoryTwinRecords(initial: ReadonlyMap<string, unknown> = new Map(), trace?: string[]): MemoryTwinRecords {
  const live = new Map(initial);
  let flushed = new Map(initial);
  let flushes = 0;
  const apply = (op: TwinRecordOp) => {
    if ('put' in op) live.set(op.put[0], structuredClone(op.put[1]));
    else if ('delete' in op) live.delete(op.delete);
    else for (const key of [...live.keys()]) if (key.startsWith(op.deletePrefix)) live.delete(key);
  };
  return {
    async open() {},
    async close() {},
    get: (key) => live.get(key),
    keys: (prefix = '') => [...live.keys()].filter((k) => k.startsWith(prefix)).sort(),
    batch(ops) {
      trace?.push(`twins:batch ${ops.length}`);
      for (const op of ops) apply(op);
    },
    async flush() {
      flushes++;
      trace?.push('twins:flush');
      flushed = new Map(live);
    },
    durable: () => new Map(flushed),
    get flushes() {
      return flushes;
    },
  };
}
