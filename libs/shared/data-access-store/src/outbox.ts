// A durable, bounded FIFO for messages waiting to leave the gateway (the cloud connector's outbox):
// append, peek the oldest, ack when the far side confirmed, drop the oldest when full. Same journal,
// same fsync policies and the same overflow rule as the broker's offline queues.
import { onlyOnce, type Logger, withDefaults } from '@ledge/shared/util';
import { ByteReader, ByteWriter, readObject, writeValue } from './codec';
import { createDropReporter } from './drop-reporter';
import { closedError, corruptError, invalidOptionsError, notOpenError } from './errors';
import { createJournal, type FsyncPolicy, type Journal, type JournalStats } from './journal';
import type { JournalFs } from './journal-fs';

export interface OutboxMessage {
  topic: string;
  payload: Buffer;
  /** Anything else the sender needs later (QoS, MQTT 5 properties, correlation id): JSON-like values and Buffers. */
  [key: string]: unknown;
}

export interface OutboxItem {
  /** Increasing, never reused within a directory. */
  readonly id: number;
  readonly message: OutboxMessage;
}

export interface OutboxOptions {
  dir: string;
  logger: Logger;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** Items kept; beyond it the oldest is dropped. */
  maxItems?: number;
  /** Bytes (payload + topic) kept; beyond it the oldest is dropped. */
  maxBytes?: number;
  dropLogIntervalMs?: number;
  maxSegmentBytes?: number;
  compactMinBytes?: number;
  fs?: JournalFs;
  now?: () => number;
}

export const defaultOutboxOptions = Object.freeze({
  fsync: 'interval' as FsyncPolicy,
  fsyncIntervalMs: 200,
  maxItems: 10_000,
  maxBytes: 16 * 1024 * 1024,
  dropLogIntervalMs: 10_000,
});

export interface OutboxStats {
  queued: number;
  queuedBytes: number;
  /** Items dropped by the overflow rule since open(). */
  dropped: number;
  journal: JournalStats;
}

export interface Outbox {
  /** Replays the directory. */
  open(): Promise<void>;
  /** Queues a message; resolves with its id (after fdatasync when fsync is 'always'). */
  append(message: OutboxMessage): Promise<number>;
  /** Up to `limit` of the oldest items, oldest first. */
  peek(limit?: number): OutboxItem[];
  /** Removes an item once delivered; false when it is not queued (acked before, or dropped). */
  ack(id: number): Promise<boolean>;
  readonly size: number;
  flush(): Promise<void>;
  compact(): Promise<void>;
  stats(): OutboxStats;
  close(): Promise<void>;
}

const PUT = 1;
const ACK = 2;
const NEXT_ID = 3;

const bytesOf = (m: OutboxMessage) => m.payload.length + Buffer.byteLength(m.topic);

export function createOutbox(options: OutboxOptions): Outbox {
  const o = withDefaults(defaultOutboxOptions, options);
  for (const k of ['maxItems', 'maxBytes', 'dropLogIntervalMs'] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw invalidOptionsError(`${k} must be a non-negative number`);
  }
  const log = o.logger.child({ component: 'store-outbox' });
  const drops = createDropReporter(log, o.dropLogIntervalMs, o.now ?? Date.now, 'outbox full; dropped the oldest messages');
  const journal: Journal = createJournal({ ...o, logger: o.logger.child({ store: 'outbox' }) });
  const items = new Map<number, OutboxItem>();
  const w = new ByteWriter();
  let nextId = 1;
  let bytes = 0;
  let status: 'new' | 'open' | 'closed' = 'new';

  const encodePut = (item: OutboxItem) => {
    w.reset().u8(PUT).varUint(item.id);
    writeValue(w, item.message);
    return w.view();
  };
  const encodeId = (type: number, id: number) => w.reset().u8(type).varUint(id).view();

  function put(item: OutboxItem): void {
    items.set(item.id, item);
    bytes += bytesOf(item.message);
    nextId = Math.max(nextId, item.id + 1);
  }
  function remove(id: number): boolean {
    const item = items.get(id);
    if (item === undefined) return false;
    items.delete(id);
    bytes -= bytesOf(item.message);
    return true;
  }

  function replay(payload: Buffer): void {
    const r = new ByteReader(payload);
    const type = r.u8();
    const id = r.varUint();
    if (type === PUT) {
      const message = readObject(r) as OutboxMessage;
      if (typeof message.topic !== 'string' || !Buffer.isBuffer(message.payload)) throw corruptError('outbox item without topic or payload');
      put({ id, message });
    } else if (type === ACK) remove(id);
    else if (type === NEXT_ID) nextId = Math.max(nextId, id);
    else throw corruptError(`unknown outbox record type ${type}`);
  }

  function* snapshot(): Generator<Buffer> {
    yield encodeId(NEXT_ID, nextId);
    for (const item of items.values()) yield encodePut(item);
  }

  function check(): void {
    if (status !== 'open') throw status === 'new' ? notOpenError('outbox') : closedError('outbox');
  }

  /** The overflow rule: while over maxItems or maxBytes, drop the oldest item (journalled, counted). */
  function enforceBounds(): void {
    let n = 0;
    for (const oldest of items.keys()) {
      if (items.size <= o.maxItems && bytes <= o.maxBytes) break;
      journal.append(encodeId(ACK, oldest));
      remove(oldest);
      n++;
    }
    if (n > 0) drops.note(n, () => ({ queued: items.size, queuedBytes: bytes }));
  }

  const durable = async () => {
    if (o.fsync === 'always') await journal.flush();
  };

  return {
    async open() {
      if (status !== 'new') throw status === 'closed' ? closedError('outbox') : invalidOptionsError('open() called twice');
      await journal.open({ replay, snapshot });
      status = 'open';
      log.info({ queued: items.size, queuedBytes: bytes }, 'outbox loaded');
    },
    async append(message) {
      check();
      const item: OutboxItem = { id: nextId, message: { ...message } };
      journal.append(encodePut(item));
      put(item);
      enforceBounds();
      await durable();
      return item.id;
    },
    peek(limit = Infinity) {
      check();
      const out: OutboxItem[] = [];
      for (const item of items.values()) {
        if (out.length >= limit) break;
        out.push(item);
      }
      return out;
    },
    async ack(id) {
      check();
      if (!items.has(id)) return false;
      journal.append(encodeId(ACK, id));
      remove(id);
      await durable();
      return true;
    },
    get size() {
      return items.size;
    },
    flush: () => journal.flush(),
    compact: () => journal.compact(),
    stats: () => ({ queued: items.size, queuedBytes: bytes, dropped: drops.total, journal: journal.stats() }),
    close: onlyOnce(async () => {
      status = 'closed';
      await journal.close();
    }),
  };
}
