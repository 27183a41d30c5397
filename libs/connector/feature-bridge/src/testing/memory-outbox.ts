// An in-memory Outbox (the @ledge/shared/data-access-store interface) for unit tests of the bridge: the same
// semantics as the journal — append is visible to peek at once, ids increase and are never reused, acks
// are idempotent, the oldest goes beyond maxItems/maxBytes — and passes the same contract suite
// (outbox-contract.ts). Test controls: a trace of every call, flushes held until released, and appends
// that fail (a full or broken disk).
import type { Outbox, OutboxItem, OutboxMessage, OutboxOptions } from '@ledge/shared/data-access-store';

export interface MemoryOutbox extends Outbox {
  /** `append <topic>`, `ack <id>`, `flush`, `flushed` (when a flush resolves), `append failed <topic>`. */
  readonly trace: string[];
  /** Holds every flush until release(): the disk is slow. */
  holdFlushes(): void;
  /** Resolves the held flushes and stops holding. */
  release(): void;
  /** The next `n` appends reject with `err` (nothing is queued). */
  failAppends(n: number, err?: Error): void;
}

export interface MemoryOutboxOptions {
  readonly maxItems?: number;
  readonly maxBytes?: number;
  /** Shared with other fakes, to assert the order of work across them. */
  readonly trace?: string[];
  /** What the directory held before this process: loaded by open(). */
  readonly stored?: readonly OutboxMessage[];
}

const bytesOf = (m: OutboxMessage) => m.payload.length + Buffer.byteLength(m.topic);

export function createMemoryOutbox(o: MemoryOutboxOptions = {}): MemoryOutbox {
  const maxItems = o.maxItems ?? Infinity;
  const maxBytes = o.maxBytes ?? Infinity;
  const trace = o.trace ?? [];
  const items = new Map<number, OutboxItem>();
  let nextId = 1;
  let bytes = 0;
  let dropped = 0;
  let status: 'new' | 'open' | 'closed' = 'new';
  let holding = false;
  const held: (() => void)[] = [];
  const failures: Error[] = [];

  const check = () => {
    if (status !== 'open') throw new Error(status === 'new' ? 'outbox not open' : 'outbox closed');
  };
  const remove = (id: number) => {
    const item = items.get(id);
    if (item === undefined) return false;
    items.delete(id);
    bytes -= bytesOf(item.message);
    return true;
  };

  return {
    trace,
    holdFlushes() {
      holding = true;
    },
    release() {
      holding = false;
      for (const r of held.splice(0)) r();
    },
    failAppends(n, err = new Error('ENOSPC: no space left on device')) {
      for (let i = 0; i < n; i++) failures.push(err);
    },
    async open() {
      if (status !== 'new') throw new Error('open() called twice');
      status = 'open';
      for (const message of o.stored ?? []) {
        items.set(nextId, { id: nextId++, message: { ...message } });
        bytes += bytesOf(message);
      }
    },
    async append(message) {
      check();
      const failure = failures.shift();
      if (failure !== undefined) {
        trace.push(`append failed ${message.topic}`);
        throw failure;
      }
      const item: OutboxItem = { id: nextId++, message: { ...message } };
      items.set(item.id, item);
      bytes += bytesOf(item.message);
      trace.push(`append ${message.topic}`);
      for (const oldest of items.keys()) {
        if (items.size <= maxItems && bytes <= maxBytes) break;
        remove(oldest);
        dropped++;
      }
      return item.id;
    },
    peek(limit = Infinity) {
      check();
      return [...items.values()].slice(0, limit);
    },
    async ack(id) {
      check();
      trace.push(`ack ${id}`);
      return remove(id);
    },
    get size() {
      return items.size;
    },
    async flush() {
      trace.push('flush');
      if (holding) await new Promise<void>((r) => held.push(r));
      trace.push('flushed');
    },
    async compact() {},
    stats: () => ({ queued: items.size, queuedBytes: bytes, dropped, journal: { segment: 0, segmentBytes: 0, bytesSinceSnapshot: 0, snapshotBytes: 0, appended: 0, written: 0, synced: 0, compactions: 0, failed: false } }),
    async close() {
      status = 'closed';
      for (const r of held.splice(0)) r();
    },
  };
}

/** An OutboxFactory for BridgeOptions.createOutbox that hands out `outbox` (bounds from the bridge). */
export function memoryOutboxFactory(outbox: MemoryOutbox): (options: OutboxOptions) => Outbox {
  return () => outbox;
}
