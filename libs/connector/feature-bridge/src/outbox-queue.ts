// The bridge's view of the durable outbox: every message waiting for its cloud PUBACK, in arrival
// order, with the overflow rule of the connector (README "Offline mode"): when a new message would
// exceed maxMessages or maxBytes, the oldest *telemetry* goes first; only when no telemetry is left
// do events and command responses go, oldest first. A new telemetry message that would need an event
// to go is itself dropped. Messages in flight to the cloud are never dropped. Drops are journalled
// (outbox.ack) and counted per class.
import type { Outbox } from '@ledge/shared/data-access-store';

export type MessageClass = 't' | 'e' | 'r';

export interface QueueEntry {
  readonly id: number;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly cls: MessageClass;
  /** Wall-clock ms when the message arrived. */
  readonly ts: number;
  readonly bytes: number;
  inFlight: boolean;
  removed: boolean;
}

export interface OutboxQueueOptions {
  readonly outbox: Outbox;
  readonly maxMessages: number;
  readonly maxBytes: number;
  /** Wall clock for entries journalled without a timestamp; default Date.now. */
  readonly now?: () => number;
}

export interface DropCounters {
  telemetry: number;
  events: number;
  responses: number;
}

export interface OutboxQueue {
  /** Loads what the outbox holds (after outbox.open()). */
  load(): QueueEntry[];
  /** Applies the overflow rule, appends; undefined when the new message itself was dropped. */
  append(m: { topic: string; payload: Buffer; qos: 0 | 1; cls: MessageClass; ts: number }): Promise<QueueEntry | undefined>;
  /** Removes a delivered (or unroutable) entry. */
  remove(entry: QueueEntry): Promise<void>;
  /** All entries waiting, oldest first. */
  entries(): IterableIterator<QueueEntry>;
  readonly depth: number;
  readonly bytes: number;
  oldestTs(): number | undefined;
  readonly dropped: Readonly<DropCounters>;
}

const bytesOf = (topic: string, payload: Buffer) => payload.length + Buffer.byteLength(topic);

export function createOutboxQueue(options: OutboxQueueOptions): OutboxQueue {
  const { outbox, maxMessages, maxBytes, now = Date.now } = options;
  const all = new Map<number, QueueEntry>();
  // Per-class FIFOs with lazy deletion: `head` skips removed entries.
  const fifo: Record<'t' | 'o', { list: QueueEntry[]; head: number }> = { t: { list: [], head: 0 }, o: { list: [], head: 0 } };
  const dropped: DropCounters = { telemetry: 0, events: 0, responses: 0 };
  let bytes = 0;
  const reserved = { count: 0, bytes: 0 };

  const lane = (cls: MessageClass) => fifo[cls === 't' ? 't' : 'o'];
  function track(e: QueueEntry): void {
    all.set(e.id, e);
    lane(e.cls).list.push(e);
    bytes += e.bytes;
  }
  function untrack(e: QueueEntry): void {
    if (e.removed) return;
    e.removed = true;
    all.delete(e.id);
    bytes -= e.bytes;
    const l = lane(e.cls);
    while (l.head < l.list.length && l.list[l.head]!.removed) l.head++;
    if (l.head > 1024 && l.head * 2 > l.list.length) {
      l.list = l.list.slice(l.head);
      l.head = 0;
    }
  }
  /** Oldest entry of a lane that is not in flight. */
  function victim(l: { list: QueueEntry[]; head: number }): QueueEntry | undefined {
    for (let i = l.head; i < l.list.length; i++) {
      const e = l.list[i]!;
      if (!e.removed && !e.inFlight) return e;
    }
    return undefined;
  }
  function count(cls: MessageClass): void {
    if (cls === 't') dropped.telemetry++;
    else if (cls === 'e') dropped.events++;
    else dropped.responses++;
  }

  return {
    load() {
      for (const item of outbox.peek()) {
        const m = item.message;
        const cls = (m['c'] === 't' || m['c'] === 'r' ? m['c'] : 'e') as MessageClass;
        track({ id: item.id, topic: m.topic, payload: m.payload, qos: m['q'] === 0 ? 0 : 1, cls, ts: typeof m['ts'] === 'number' ? m['ts'] : now(), bytes: bytesOf(m.topic, m.payload), inFlight: false, removed: false });
      }
      return [...all.values()];
    },
    async append(m) {
      // Everything up to the first await runs synchronously, so concurrent appends see each other
      // through `reserved` (the outbox journals appends and acks synchronously, too).
      const size = bytesOf(m.topic, m.payload);
      const acks: Promise<boolean>[] = [];
      while (all.size + reserved.count + 1 > maxMessages || bytes + reserved.bytes + size > maxBytes) {
        const v = victim(fifo.t) ?? (m.cls === 't' ? undefined : victim(fifo.o));
        if (v === undefined) {
          count(m.cls);
          await Promise.all(acks);
          return undefined;
        }
        untrack(v);
        count(v.cls);
        acks.push(outbox.ack(v.id));
      }
      reserved.count++;
      reserved.bytes += size;
      const appended = outbox.append({ topic: m.topic, payload: m.payload, q: m.qos, c: m.cls, ts: m.ts });
      try {
        const [id] = await Promise.all([appended, ...acks]);
        const e: QueueEntry = { id: id as number, ...m, bytes: size, inFlight: false, removed: false };
        track(e);
        return e;
      } finally {
        reserved.count--;
        reserved.bytes -= size;
      }
    },
    async remove(e) {
      if (e.removed) return;
      untrack(e);
      await outbox.ack(e.id);
    },
    entries: () => all.values(),
    get depth() {
      return all.size;
    },
    get bytes() {
      return bytes;
    },
    oldestTs() {
      return all.values().next().value?.ts;
    },
    dropped,
  };
}
