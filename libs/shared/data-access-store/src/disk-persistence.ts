// An aedes 1.x persistence that keeps retained messages, persistent-session subscriptions, outgoing
// QoS 1/2 queues, inbound QoS 2 packets and wills on disk. aedes-persistence's in-memory store stays
// the query index (topic tries for retained lookups and subscription matching); every change is
// journalled write-through, and on setup() the journal is replayed into memory.
import { Readable } from 'node:stream';
import MemoryIndex from 'aedes-persistence/asyncPersistence.js';
import { topicMatches } from '@ledge/shared/model-mqtt';
import { onlyOnce, type Logger, withDefaults } from '@ledge/shared/util';
import {
  defaultDiskPersistenceOptions,
  type DiskPersistence,
  type DiskPersistenceOptions,
  type DiskPersistenceStats,
  type StoredSubscription,
} from './disk-persistence-types';
import { createDropReporter, type DropReporter } from './drop-reporter';
import { closedError, invalidOptionsError, noSuchPacketError, notOpenError } from './errors';
import { createJournal, type Journal } from './journal';
import { copyPacket, isEmptyPayload, plainCopy, type PersistedPacket, type PersistenceBroker, type PersistenceClient, type PersistenceSubscription } from './packet';
import { RecordType, createRecordEncoder, decodeRecord, type SessionRecord } from './session-records';
import { SessionState, subscriptionOptions } from './session-state';

export { defaultDiskPersistenceOptions } from './disk-persistence-types';
export type { DiskPersistence, DiskPersistenceOptions, DiskPersistenceStats } from './disk-persistence-types';

const DONE: Promise<void> = Promise.resolve();
/** Topics whose subscription matches are kept (all are dropped when full). */
const MATCH_CACHE_TOPICS = 1024;
const NOTHING: Promise<undefined> = Promise.resolve(undefined);

export function createDiskPersistence(options: DiskPersistenceOptions): DiskPersistence {
  return new DiskStore(options);
}

class DiskStore implements DiskPersistence {
  readonly #state = new SessionState();
  readonly #index = new MemoryIndex();
  readonly #encode = createRecordEncoder();
  /** subscriptionsByTopic answers by topic, dropped whenever a subscription changes. */
  readonly #matches = new Map<string, Promise<StoredSubscription[]>>();
  readonly #journal: Journal;
  readonly #log: Logger;
  readonly #always: boolean;
  readonly #maxPerClient: number;
  readonly #maxBytes: number;
  readonly #drops: DropReporter;
  #broker: PersistenceBroker | undefined;
  #status: 'new' | 'opening' | 'open' | 'closed' = 'new';
  #opening: Promise<void> | undefined;

  constructor(options: DiskPersistenceOptions) {
    const o = withDefaults(defaultDiskPersistenceOptions, options);
    for (const k of ['maxQueuedPerClient', 'maxQueuedBytes', 'dropLogIntervalMs'] as const) {
      if (!Number.isFinite(o[k]) || o[k] < 0) throw invalidOptionsError(`${k} must be a non-negative number`);
    }
    this.#log = o.logger.child({ component: 'store-sessions' });
    this.#always = o.fsync === 'always';
    this.#maxPerClient = o.maxQueuedPerClient;
    this.#maxBytes = o.maxQueuedBytes;
    this.#drops = createDropReporter(this.#log, o.dropLogIntervalMs, o.now ?? Date.now, 'outgoing queue full; dropped the oldest queued messages');
    this.#journal = createJournal({ ...o, logger: o.logger.child({ store: 'sessions' }) });
  }

  get broker(): PersistenceBroker | undefined {
    return this.#broker;
  }

  // aedes requires setup to be an AsyncFunction (it checks setup.constructor.name).
  async setup(broker: PersistenceBroker): Promise<void> {
    if (this.#status === 'closed') throw closedError('disk persistence');
    this.#broker = broker;
    this.#opening ??= this.#open();
    await this.#opening;
    await this.#index.setup(broker);
  }

  async #open(): Promise<void> {
    this.#status = 'opening';
    await this.#journal.open({
      replay: (payload) => this.#state.apply(decodeRecord(payload)),
      snapshot: () => this.#snapshot(),
    });
    // Build the query index from the replayed state.
    for (const packet of this.#state.retained.values()) await this.#index.storeRetained(packet);
    for (const [id, subs] of this.#state.subscriptions) {
      await this.#index.addSubscriptions({ id }, [...subs].map(([topic, o]) => ({ topic, ...o })));
    }
    this.#status = 'open';
    const { journal: _journal, ...counts } = this.stats();
    this.#log.info(counts, 'session store loaded');
  }

  *#snapshot(): Generator<Buffer> {
    for (const r of this.#state.records()) yield this.#encode(r);
  }

  #check(): void {
    if (this.#status !== 'open') throw this.#status === 'closed' ? closedError('disk persistence') : notOpenError('disk persistence');
  }

  /** Journal first: if the append throws, memory is unchanged. */
  #write(r: SessionRecord): void {
    this.#journal.append(this.#encode(r));
    this.#state.apply(r);
  }

  async #durable(): Promise<void> {
    if (this.#always) await this.#journal.flush();
  }

  /** #durable() for the hot paths: settled at once unless fsync is 'always'. */
  #settled(): Promise<void> {
    return this.#always ? this.#journal.flush() : DONE;
  }

  async storeRetained(pkt: PersistedPacket): Promise<void> {
    this.#check();
    const packet = plainCopy(pkt);
    const topic = String(packet.topic);
    if (!isEmptyPayload(packet)) this.#write({ type: RecordType.RetainPut, packet });
    else if (this.#state.retained.has(topic)) this.#write({ type: RecordType.RetainDel, topic }); // [MQTT-3.3.1-10]
    await this.#index.storeRetained(packet);
    await this.#durable();
  }

  createRetainedStream(pattern: string): Readable {
    this.#check();
    return this.#index.createRetainedStream(pattern);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    this.#check();
    return this.#index.createRetainedStreamCombi(patterns);
  }

  async addSubscriptions(client: PersistenceClient, subs: PersistenceSubscription[]): Promise<void> {
    this.#check();
    this.#write({ type: RecordType.SubAdd, clientId: client.id, subs: subs.map((s) => ({ topic: s.topic, ...subscriptionOptions(s) })) });
    this.#matches.clear();
    await this.#index.addSubscriptions(client, subs);
    this.#matches.clear();
    await this.#durable();
  }

  async removeSubscriptions(client: PersistenceClient, topics: string[]): Promise<void> {
    this.#check();
    const stored = this.#state.subscriptions.get(client.id);
    const present = stored === undefined ? [] : topics.filter((t) => stored.has(t));
    if (present.length > 0) this.#write({ type: RecordType.SubRemove, clientId: client.id, topics: present });
    this.#matches.clear();
    await this.#index.removeSubscriptions(client, topics);
    this.#matches.clear();
    await this.#durable();
  }

  async subscriptionsByClient(client: PersistenceClient): Promise<PersistenceSubscription[]> {
    this.#check();
    return (await this.#index.subscriptionsByClient(client)) as PersistenceSubscription[];
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    this.#check();
    return this.#index.countOffline();
  }

  subscriptionsByTopic(topic: string): Promise<StoredSubscription[]> {
    try {
      this.#check();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (hasEmptyLevel(topic)) return Promise.resolve(this.#scanSubscriptions(topic));
    // aedes asks for every QoS 1/2 message; the answer only changes with the persistent sessions'
    // subscriptions, which all pass through this store. The arrays are shared: aedes reads them only.
    let matches = this.#matches.get(topic);
    if (matches === undefined) {
      if (this.#matches.size >= MATCH_CACHE_TOPICS) this.#matches.clear();
      const pending = this.#index.subscriptionsByTopic(topic);
      this.#matches.set(topic, pending);
      pending.catch(() => this.#matches.delete(topic)); // the caller sees the error; the next call asks again
      matches = pending;
    }
    return matches;
  }

  #scanSubscriptions(topic: string): StoredSubscription[] {
    // `+` matches an empty level ([MQTT-4.7.1-3]: `a/+/b` matches `a//b`), and aedes delivers live
    // messages that way (mqemitter matchEmptyLevels), but aedes-persistence's trie does not: a persistent
    // session subscribed to `command//+/res/#` would never get `command///res/…` queued. Scan instead.
    // Rare (Kanto's gateway command topics `command///…`) and the persistent subscriptions of a gateway are few.
    const matches: StoredSubscription[] = [];
    for (const [clientId, subs] of this.#state.subscriptions) {
      for (const [filter, options] of subs) {
        if (topicMatches(filter, topic)) matches.push({ clientId, topic: filter, ...options } as StoredSubscription);
      }
    }
    return matches;
  }

  async cleanSubscriptions(client: PersistenceClient): Promise<void> {
    this.#check();
    // aedes calls this on every clean-session CONNECT: journal only when there is something to clean.
    const had = this.#state.subscriptions.has(client.id);
    if (had) this.#write({ type: RecordType.SubClean, clientId: client.id });
    if (had) this.#matches.clear();
    await this.#index.cleanSubscriptions(client);
    if (had) this.#matches.clear();
    await this.#durable();
  }

  outgoingEnqueue(sub: { clientId: string }, packet: PersistedPacket): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  // The three outgoing* calls below run for every queued message, delivery and acknowledgement: plain
  // functions returning a settled promise (one shared one under fsync interval/never) instead of async
  // ones awaiting a no-op, which cost a promise and a turn of the microtask queue each.
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: PersistedPacket): Promise<void> {
    try {
      this.#check();
      // Session state holds QoS 1 and 2 messages; queueing QoS 0 is optional (MQTT 3.1.1 §3.1.2.4) and
      // Ledge does not: aedes never offers one, and this keeps it so.
      if (subs.length === 0 || !((packet.qos ?? 0) > 0)) return DONE;
      const clientIds = subs.map((s) => s.clientId);
      this.#write({ type: RecordType.OutEnqueue, seq: this.#state.nextSeq, clientIds, packet: copyPacket(packet) });
      this.#enforceBounds(clientIds);
      return this.#settled();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /**
   * The overflow rule (README "Queue bounds"): over maxQueuedPerClient, drop that client's oldest
   * queued PUBLISH; then, while over maxQueuedBytes, drop the oldest queued PUBLISH of the store.
   */
  #enforceBounds(clientIds: string[]): void {
    const queues = this.#state.queues;
    let dropped = 0;
    // a client listed twice is checked twice, harmlessly: the first pass leaves it within the bound
    for (const id of clientIds) {
      while (queues.count(id) > this.#maxPerClient) {
        const oldest = queues.oldestPublish(id);
        if (oldest === undefined) break;
        this.#write({ type: RecordType.OutDelete, seq: oldest.seq });
        dropped++;
      }
    }
    while (queues.bytes > this.#maxBytes) {
      const oldest = queues.oldestPublish();
      if (oldest === undefined) break;
      this.#write({ type: RecordType.OutDelete, seq: oldest.seq });
      dropped++;
    }
    if (dropped === 0) return;
    this.#drops.note(dropped, () => ({
      queued: queues.size,
      queuedBytes: queues.bytes,
      maxQueuedPerClient: this.#maxPerClient,
      maxQueuedBytes: this.#maxBytes,
    }));
  }

  outgoingUpdate(client: PersistenceClient, packet: PersistedPacket): Promise<void> {
    try {
      this.#check();
      const match = this.#state.queues.findForUpdate(client.id, packet);
      if (match === undefined) throw noSuchPacketError(client.id, packet.messageId);
      const { entry } = match;
      if (match.replace) this.#write({ type: RecordType.OutReplace, seq: entry.seq, packet: plainCopy(packet) });
      else if (entry.packet.messageId !== packet.messageId) this.#write({ type: RecordType.OutMessageId, seq: entry.seq, messageId: packet.messageId });
      return this.#settled();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  outgoingClearMessageId(client: PersistenceClient, packet: PersistedPacket): Promise<PersistedPacket | undefined> {
    try {
      this.#check();
      const entry = this.#state.queues.findByMessageId(client.id, (packet as PersistedPacket | undefined)?.messageId);
      if (entry === undefined) return NOTHING;
      this.#write({ type: RecordType.OutDelete, seq: entry.seq });
      return this.#always ? this.#journal.flush().then(() => entry.packet) : Promise.resolve(entry.packet);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  outgoingMessageIdTaken(clientId: string, messageId: number, packet: PersistedPacket): boolean {
    return this.#state.queues.messageIdTaken(clientId, messageId, packet);
  }

  outgoingStream(client: PersistenceClient): Readable {
    this.#check();
    return Readable.from(this.#state.queues.drain(client.id), { highWaterMark: 1 });
  }

  async incomingStorePacket(client: PersistenceClient, packet: PersistedPacket): Promise<void> {
    this.#check();
    const stored = copyPacket(packet);
    stored.messageId = packet.messageId;
    this.#write({ type: RecordType.IncomingPut, clientId: client.id, packet: stored });
    await this.#durable();
  }

  async incomingGetPacket(client: PersistenceClient, packet: PersistedPacket): Promise<PersistedPacket> {
    this.#check();
    const stored = this.#state.incoming.get(client.id)?.get(packet.messageId);
    if (stored === undefined) throw noSuchPacketError(client.id, packet.messageId);
    return stored;
  }

  async incomingDelPacket(client: PersistenceClient, packet: PersistedPacket): Promise<void> {
    this.#check();
    if (!this.#state.incoming.get(client.id)?.has(packet.messageId)) throw noSuchPacketError(client.id, packet.messageId);
    this.#write({ type: RecordType.IncomingDel, clientId: client.id, messageId: packet.messageId });
    await this.#durable();
  }

  async cleanIncoming(client: PersistenceClient): Promise<void> {
    this.#check();
    // [MQTT-3.1.2-6]; called on every clean-session connect and close, so only journal real work
    if (this.#state.incoming.has(client.id)) this.#write({ type: RecordType.IncomingClean, clientId: client.id });
    await this.#durable();
  }

  async putWill(client: PersistenceClient, packet: PersistedPacket): Promise<void> {
    this.#check();
    // Stamped on the caller's packet, as aedes-persistence does. After a restart the old broker id is
    // not alive, so aedes publishes the wills of clients that were connected when the broker died.
    packet.brokerId = this.#broker!.id;
    packet.clientId = client.id;
    this.#write({ type: RecordType.WillPut, clientId: client.id, packet: plainCopy(packet) });
    await this.#durable();
  }

  async getWill(client: PersistenceClient): Promise<PersistedPacket | undefined> {
    this.#check();
    return this.#state.wills.get(client.id);
  }

  async delWill(client: PersistenceClient): Promise<PersistedPacket | undefined> {
    this.#check();
    const will = this.#state.wills.get(client.id);
    if (will === undefined) return undefined; // every CONNECT deletes first: no record when there is none
    this.#write({ type: RecordType.WillDel, clientId: client.id });
    await this.#durable();
    return will;
  }

  streamWill(brokers: Record<string, unknown> = {}): Readable {
    this.#check();
    const wills = [...this.#state.wills.values()].filter((w) => !brokers[String(w.brokerId)]);
    return Readable.from(wills);
  }

  getClientList(topic: string): Readable {
    this.#check();
    return this.#index.getClientList(topic);
  }

  destroy = onlyOnce(async () => {
    if (this.#opening) await this.#opening.catch((err: unknown) => this.#log.debug({ err }, 'setup had failed'));
    this.#status = 'closed';
    await this.#journal.close();
    await this.#index.destroy();
  });

  flush(): Promise<void> {
    return this.#journal.flush();
  }

  durable(): Promise<void> {
    return this.#always ? this.#journal.flush() : this.#journal.written();
  }

  compact(): Promise<void> {
    return this.#journal.compact();
  }

  stats(): DiskPersistenceStats {
    const s = this.#state;
    return {
      retained: s.retained.size,
      sessions: s.subscriptions.size,
      queued: s.queues.size,
      queuedBytes: s.queues.bytes,
      dropped: this.#drops.total,
      incoming: s.incomingCount,
      wills: s.wills.size,
      journal: this.#journal.stats(),
    };
  }
}

/** True when some level of the topic is empty (`a//b`, `/a`, `a/`). */
function hasEmptyLevel(topic: string): boolean {
  return topic.includes('//') || topic.startsWith('/') || topic.endsWith('/');
}
