// Options, defaults and the interface of the aedes disk persistence (the store is in disk-persistence.ts).
import type { Readable } from 'node:stream';
import type { Logger } from '@ledge/shared/util';
import type { FsyncPolicy, JournalStats } from './journal';
import type { JournalFs } from './journal-fs';
import type { PersistedPacket, PersistenceBroker, PersistenceClient, PersistenceSubscription } from './packet';

export interface DiskPersistenceOptions {
  /** Directory of the journal; one broker process per directory. */
  dir: string;
  logger: Logger;
  /** Default 'interval'; 'always' makes every persistence call wait for fdatasync. */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** Queued QoS 1/2 messages kept per client; beyond it the client's oldest is dropped. */
  maxQueuedPerClient?: number;
  /** Queued bytes (payload + topic) kept for all clients; beyond it the store's oldest is dropped. */
  maxQueuedBytes?: number;
  /** At most one overflow warning per this many ms (drops are counted in stats() regardless). */
  dropLogIntervalMs?: number;
  maxSegmentBytes?: number;
  maxRecordBytes?: number;
  compactMinBytes?: number;
  compactRatio?: number;
  fs?: JournalFs;
  now?: () => number;
}

export const defaultDiskPersistenceOptions = Object.freeze({
  fsync: 'interval' as FsyncPolicy,
  fsyncIntervalMs: 200,
  maxQueuedPerClient: 10_000,
  maxQueuedBytes: 64 * 1024 * 1024,
  dropLogIntervalMs: 10_000,
});

export interface DiskPersistenceStats {
  retained: number;
  /** Clients with stored subscriptions (persistent sessions). */
  sessions: number;
  /** Outgoing QoS 1/2 packets queued, all clients. */
  queued: number;
  queuedBytes: number;
  /** Messages dropped by the overflow rule since setup(). */
  dropped: number;
  /** Inbound QoS 2 packets awaiting PUBREL. */
  incoming: number;
  wills: number;
  journal: JournalStats;
}

export type StoredSubscription = PersistenceSubscription & { clientId: string };

/** The aedes persistence interface (promise form, as aedes 1.x calls it) plus Ledge's extras. */
export interface DiskPersistence {
  readonly broker: PersistenceBroker | undefined;
  setup(broker: PersistenceBroker): Promise<void>;
  storeRetained(packet: PersistedPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
  addSubscriptions(client: PersistenceClient, subs: PersistenceSubscription[]): Promise<void>;
  removeSubscriptions(client: PersistenceClient, topics: string[]): Promise<void>;
  subscriptionsByClient(client: PersistenceClient): Promise<PersistenceSubscription[]>;
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
  subscriptionsByTopic(topic: string): Promise<StoredSubscription[]>;
  cleanSubscriptions(client: PersistenceClient): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, packet: PersistedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: PersistedPacket): Promise<void>;
  outgoingUpdate(client: PersistenceClient, packet: PersistedPacket): Promise<void>;
  outgoingClearMessageId(client: PersistenceClient, packet: PersistedPacket): Promise<PersistedPacket | undefined>;
  outgoingStream(client: PersistenceClient): Readable;
  /**
   * Ledge's: whether `messageId` is held by a queued entry of the client other than `packet`'s own (the
   * one with its brokerId and brokerCounter). aedes numbers deliveries without asking; the broker uses
   * this to keep a packet id in use unique ([MQTT-2.3.1-2]).
   */
  outgoingMessageIdTaken(clientId: string, messageId: number, packet: PersistedPacket): boolean;
  incomingStorePacket(client: PersistenceClient, packet: PersistedPacket): Promise<void>;
  incomingGetPacket(client: PersistenceClient, packet: PersistedPacket): Promise<PersistedPacket>;
  incomingDelPacket(client: PersistenceClient, packet: PersistedPacket): Promise<void>;
  cleanIncoming(client: PersistenceClient): Promise<void>;
  putWill(client: PersistenceClient, packet: PersistedPacket): Promise<void>;
  getWill(client: PersistenceClient): Promise<PersistedPacket | undefined>;
  delWill(client: PersistenceClient): Promise<PersistedPacket | undefined>;
  streamWill(brokers?: Record<string, unknown>): Readable;
  getClientList(topic: string): Readable;
  /** Writes and syncs what is queued and closes the journal. Idempotent. aedes does not call it. */
  destroy(): Promise<void>;
  /** Resolves when every change so far is on disk (fdatasync'ed unless fsync is 'never'). */
  flush(): Promise<void>;
  /**
   * Resolves when every change so far survives the process being killed (written to the journal) and,
   * with fsync 'always', a power cut too (fdatasync'ed). The broker waits for it before it acknowledges a
   * QoS 1/2 PUBLISH (issue 17); with 'interval' a power cut loses at most fsyncIntervalMs of them.
   */
  durable(): Promise<void>;
  /** Rewrites the journal as a snapshot of the live state (also runs automatically). */
  compact(): Promise<void>;
  stats(): DiskPersistenceStats;
}

