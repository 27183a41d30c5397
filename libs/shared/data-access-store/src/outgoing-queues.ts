// Per-client queues of outgoing QoS 1/2 packets with indexed lookups. The matching rules are exactly
// those of aedes-persistence's in-memory store (a linear scan in queue order), answered from indexes:
//   outgoingUpdate:         the first entry that either has the packet's brokerId and brokerCounter
//                           (→ takes its messageId) or another brokerId and the same messageId
//                           (→ is replaced, e.g. PUBLISH → PUBREL);
//   outgoingClearMessageId: the first entry with the packet's messageId.
// Every entry has a store-wide sequence number: queue order, the journal's handle on the entry, and the
// global age order the byte bound drops from.
import { packetBytes, type PersistedPacket } from './packet';
import { SeqList } from './seq-list';

export interface QueueEntry {
  readonly seq: number;
  readonly clientId: string;
  packet: PersistedPacket;
  bytes: number;
  /**
   * The packet object is shared with the other clients' entries of one enqueue (one object where a message
   * is queued for several sessions); the first change of this entry's packet copies it.
   */
  shared: boolean;
}

export interface UpdateMatch {
  entry: QueueEntry;
  /** false: set the entry's messageId; true: replace the entry's packet. */
  replace: boolean;
}

/**
 * An index slot: the one entry under a key, or (rarely: a packet id reused while an older message still
 * holds it, brokerCounters of two broker runs) the entries in queue order. Most keys hold exactly one
 * entry, and an array per key was two allocations and a splice per queued message.
 */
type Slot = QueueEntry | QueueEntry[];

interface ClientQueue {
  entries: SeqList<QueueEntry>;
  /** brokerId → brokerCounter → entries (Map keys compare like ===, no key strings to build) */
  byIdentity: Map<unknown, Map<unknown, Slot>>;
  byMessageId: Map<number, Slot>;
}

/** Empty client queues kept for reuse: an online client's queue empties and refills on every message. */
const SPARE_QUEUES = 64;

function insertSorted(list: QueueEntry[], e: QueueEntry): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.seq > e.seq) i--;
  list.splice(i, 0, e);
}

function addTo<K>(index: Map<K, Slot>, key: K, e: QueueEntry): void {
  const slot = index.get(key);
  if (slot === undefined) index.set(key, e);
  else if (Array.isArray(slot)) insertSorted(slot, e);
  else index.set(key, slot.seq < e.seq ? [slot, e] : [e, slot]);
}

function removeFrom<K>(index: Map<K, Slot>, key: K, e: QueueEntry): void {
  const slot = index.get(key);
  if (slot === undefined) return;
  if (!Array.isArray(slot)) {
    if (slot === e) index.delete(key);
    return;
  }
  const i = slot.indexOf(e);
  if (i >= 0) slot.splice(i, 1);
  if (slot.length === 1) index.set(key, slot[0]!);
  else if (slot.length === 0) index.delete(key);
}

/** The oldest entry of a slot. */
const first = (slot: Slot | undefined): QueueEntry | undefined => (Array.isArray(slot) ? slot[0] : slot);
/** A slot's entries in queue order. */
const listOf = (slot: Slot | undefined): readonly QueueEntry[] => (slot === undefined ? [] : Array.isArray(slot) ? slot : [slot]);

export class OutgoingQueues {
  private readonly all = new SeqList<QueueEntry>();
  private readonly clients = new Map<string, ClientQueue>();
  private readonly spare: ClientQueue[] = [];
  private totalBytes = 0;

  /** Queued entries, all clients. */
  get size(): number {
    return this.all.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  count(clientId: string): number {
    return this.clients.get(clientId)?.entries.size ?? 0;
  }

  get(seq: number): QueueEntry | undefined {
    return this.all.get(seq);
  }

  /** Every entry, oldest first. */
  values(): IterableIterator<QueueEntry> {
    return this.all.values();
  }

  /**
   * `seq` must be higher than every queued one (the store hands them out in increasing order). `shared`:
   * the same packet object is queued for other clients too (copied on this entry's first change).
   */
  add(seq: number, clientId: string, packet: PersistedPacket, shared = false): QueueEntry {
    let q = this.clients.get(clientId);
    if (q === undefined) {
      q = this.spare.pop() ?? { entries: new SeqList(), byIdentity: new Map(), byMessageId: new Map() };
      this.clients.set(clientId, q);
    }
    const entry: QueueEntry = { seq, clientId, packet, bytes: packetBytes(packet), shared };
    this.all.push(seq, entry);
    q.entries.push(seq, entry);
    this.index(q, entry);
    this.totalBytes += entry.bytes;
    return entry;
  }

  remove(entry: QueueEntry): void {
    const q = this.clients.get(entry.clientId);
    if (q === undefined || !this.all.delete(entry.seq)) return;
    q.entries.delete(entry.seq);
    this.unindex(q, entry);
    this.totalBytes -= entry.bytes;
    if (q.entries.size === 0) {
      this.clients.delete(entry.clientId);
      if (q.byIdentity.size > 2) q.byIdentity.clear(); // empty maps of brokers gone since (restarts)
      if (this.spare.length < SPARE_QUEUES) this.spare.push(q);
    }
  }

  setMessageId(entry: QueueEntry, messageId: unknown): void {
    const q = this.clients.get(entry.clientId)!;
    if (typeof entry.packet.messageId === 'number') removeFrom(q.byMessageId, entry.packet.messageId, entry);
    if (entry.shared) {
      entry.packet = { ...entry.packet };
      entry.shared = false;
    }
    entry.packet.messageId = messageId as number;
    if (typeof messageId === 'number') addTo(q.byMessageId, messageId, entry);
  }

  replace(entry: QueueEntry, packet: PersistedPacket): void {
    const q = this.clients.get(entry.clientId)!;
    this.unindex(q, entry);
    this.totalBytes -= entry.bytes;
    entry.packet = packet;
    entry.shared = false;
    entry.bytes = packetBytes(packet);
    this.totalBytes += entry.bytes;
    this.index(q, entry);
  }

  findForUpdate(clientId: string, packet: PersistedPacket): UpdateMatch | undefined {
    const q = this.clients.get(clientId);
    if (q === undefined) return undefined;
    const same = first(q.byIdentity.get(packet.brokerId)?.get(packet.brokerCounter));
    let other: QueueEntry | undefined;
    const mid = packet.messageId;
    if (typeof mid === 'number') {
      for (const e of listOf(q.byMessageId.get(mid))) {
        if (e.packet.brokerId !== packet.brokerId) {
          other = e;
          break;
        }
      }
    } else {
      // Not indexed (aedes always sends a number here); keep the reference semantics with a scan.
      for (const e of q.entries.values()) {
        if (e.packet.brokerId !== packet.brokerId && e.packet.messageId === mid) {
          other = e;
          break;
        }
      }
    }
    if (same !== undefined && (other === undefined || same.seq < other.seq)) return { entry: same, replace: false };
    return other === undefined ? undefined : { entry: other, replace: true };
  }

  /** Whether an entry of the client other than `packet`'s own (its brokerId and brokerCounter) holds `messageId`. */
  messageIdTaken(clientId: string, messageId: number, packet: PersistedPacket): boolean {
    const holders = this.clients.get(clientId)?.byMessageId.get(messageId);
    if (holders === undefined) return false;
    for (const e of listOf(holders)) if (e.packet.brokerId !== packet.brokerId || e.packet.brokerCounter !== packet.brokerCounter) return true;
    return false;
  }

  findByMessageId(clientId: string, messageId: unknown): QueueEntry | undefined {
    const q = this.clients.get(clientId);
    if (q === undefined) return undefined;
    if (typeof messageId === 'number') return first(q.byMessageId.get(messageId));
    for (const e of q.entries.values()) if (e.packet.messageId === messageId) return e;
    return undefined;
  }

  /** The client's queued packets, oldest first (a copy of the list; the packets are shared). */
  /**
   * The client's queue as it is when each packet is read: entries queued when the call was made, minus
   * those removed since (acknowledged through a live delivery, dropped by the overflow rule). A snapshot
   * would hand aedes packets that are gone, and aedes drops the connection when it cannot update one.
   */
  *drain(clientId: string): Generator<PersistedPacket> {
    const seqs = this.clients.get(clientId)?.entries.keys() ?? [];
    for (const seq of seqs) {
      const e = this.clients.get(clientId)?.entries.get(seq);
      if (e !== undefined) yield e.packet;
    }
  }

  /**
   * The oldest queued PUBLISH of one client, or of the whole store. PUBREL entries are skipped: their
   * message was delivered already, and dropping one would leave the QoS 2 exchange hanging.
   */
  oldestPublish(clientId?: string): QueueEntry | undefined {
    const entries = clientId === undefined ? this.all : this.clients.get(clientId)?.entries;
    if (entries === undefined) return undefined;
    for (const e of entries.values()) if (e.packet.cmd === 'publish') return e;
    return undefined;
  }

  private index(q: ClientQueue, e: QueueEntry): void {
    let byCounter = q.byIdentity.get(e.packet.brokerId);
    if (byCounter === undefined) {
      byCounter = new Map();
      q.byIdentity.set(e.packet.brokerId, byCounter);
    }
    addTo(byCounter, e.packet.brokerCounter, e);
    if (typeof e.packet.messageId === 'number') addTo(q.byMessageId, e.packet.messageId, e);
  }

  private unindex(q: ClientQueue, e: QueueEntry): void {
    const byCounter = q.byIdentity.get(e.packet.brokerId);
    // An emptied per-broker map stays: the next message most likely has the same brokerId.
    if (byCounter !== undefined) removeFrom(byCounter, e.packet.brokerCounter, e);
    if (typeof e.packet.messageId === 'number') removeFrom(q.byMessageId, e.packet.messageId, e);
  }
}
