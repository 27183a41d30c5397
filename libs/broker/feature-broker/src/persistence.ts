// Where sessions, retained messages and QoS 1/2 queues live. Default: the disk persistence of
// @ledge/shared/data-access-store under `dataDir` (survives restarts; per-client bound drops the oldest).
// 'memory' uses aedes-persistence's store with a per-client bound that refuses the newest (that store
// cannot remove a queued message that has no packet id yet). Tests and the all-in-one host may inject
// any aedes 1.x persistence through `persistenceFactory`.
import { createDiskPersistence } from '@ledge/shared/data-access-store';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import memory from 'aedes-persistence';
import { ensureFreePacketId } from './packet-ids';
import type { ClientInternals } from './aedes-internals';

/** The aedes 1.x persistence interface (promise form); only the members the broker calls are named. */
export interface BrokerPersistence {
  setup(broker: unknown): Promise<void>;
  /** Flush and release; aedes never calls it, the broker does after aedes has closed. */
  destroy?(): Promise<void> | void;
}

export interface PersistenceContext {
  dir: string;
  logger: Logger;
  maxQueuedPerClient: number;
  maxQueuedBytes: number;
  /** Disk persistence: what a write waits for before aedes acknowledges (config `fsync`). */
  fsync?: 'always' | 'interval' | 'never';
  fsyncIntervalMs?: number;
}

export type PersistenceFactory = (context: PersistenceContext) => BrokerPersistence;

/**
 * aedes drops a persistent client's connection when, while it sends the stored queue after a CONNECT, a
 * queued packet can no longer be updated: one acknowledged meanwhile through a live delivery, or dropped by
 * the overflow rule. The queue is read as it is (drain), and a packet that went in between is delivered
 * once more instead (a duplicate, which QoS 1 allows), as aedes does for live deliveries. A PUBLISH whose
 * packet id another queued message of the client still holds gets a free one first (packet-ids.ts).
 */
export const diskPersistence: PersistenceFactory = (c) => {
  const store = createDiskPersistence({
    dir: c.dir,
    logger: c.logger,
    maxQueuedPerClient: c.maxQueuedPerClient,
    maxQueuedBytes: c.maxQueuedBytes,
    ...(c.fsync !== undefined ? { fsync: c.fsync } : {}),
    ...(c.fsyncIntervalMs !== undefined ? { fsyncIntervalMs: c.fsyncIntervalMs } : {}),
  });
  const update = store.outgoingUpdate.bind(store);
  // Not async: one promise per delivery instead of three (this runs for every delivery to a persistent session).
  const notFoundIsFine = (err: unknown) => {
    if (!(isLedgeError(err) && err.kind === 'NotFound')) throw err;
  };
  store.outgoingUpdate = (client, packet) => {
    ensureFreePacketId(client as unknown as ClientInternals, packet, (id) => store.outgoingMessageIdTaken(client.id, id, packet));
    return update(client, packet).catch(notFoundIsFine);
  };
  return store;
};

interface MemoryStore extends BrokerPersistence {
  outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: object): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: object): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: object): Promise<object | undefined>;
}

export const memoryPersistence: PersistenceFactory = (c) => {
  const store = (memory as unknown as () => MemoryStore)();
  const logger = c.logger.child({ component: 'memory-persistence' });
  const queued = new Map<string, number>();
  let dropped = 0;
  let lastWarn = 0;
  const admit = (clientId: string): boolean => {
    const n = queued.get(clientId) ?? 0;
    if (n < c.maxQueuedPerClient) {
      queued.set(clientId, n + 1);
      return true;
    }
    dropped++;
    if (Date.now() - lastWarn > 10_000) {
      lastWarn = Date.now();
      logger.warn({ clientId, maxQueuedMessages: c.maxQueuedPerClient, droppedTotal: dropped }, 'outgoing queue full; newest message not queued');
    }
    return false;
  };
  const enqueue = store.outgoingEnqueue.bind(store);
  const enqueueCombi = store.outgoingEnqueueCombi.bind(store);
  const update = store.outgoingUpdate.bind(store);
  const clear = store.outgoingClearMessageId.bind(store);
  store.outgoingEnqueue = (sub, packet) => (admit(sub.clientId) ? enqueue(sub, packet) : Promise.resolve());
  store.outgoingEnqueueCombi = (subs, packet) => enqueueCombi(subs.filter((s) => admit(s.clientId)), packet);
  // a message that was not queued is still delivered once to an online client, without a stored copy
  store.outgoingUpdate = (client, packet) => update(client, packet).catch(() => undefined);
  store.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    if (removed) queued.set(client.id, Math.max(0, (queued.get(client.id) ?? 1) - 1));
    return removed;
  };
  return store;
};

export function defaultPersistenceFactory(kind: string): PersistenceFactory {
  return kind === 'memory' ? memoryPersistence : diskPersistence;
}
