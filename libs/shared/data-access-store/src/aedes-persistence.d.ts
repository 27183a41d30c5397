// Types for the one aedes-persistence entry this library uses at runtime: the in-memory store (its
// async class) serves as the query index for retained messages and subscriptions. The package only
// ships typings for its callback entry point.
declare module 'aedes-persistence/asyncPersistence.js' {
  import type { Readable } from 'node:stream';

  interface IndexedSubscription {
    clientId: string;
    topic: string;
    qos: number;
    rh?: number;
    rap?: boolean;
    nl?: boolean;
  }

  class MemoryPersistence {
    constructor(opts?: { broadcastSubscriptions?: boolean });
    setup(broker: unknown): Promise<void>;
    storeRetained(packet: object): Promise<void>;
    createRetainedStream(pattern: string): Readable;
    createRetainedStreamCombi(patterns: string[]): Readable;
    addSubscriptions(client: { id: string }, subs: object[]): Promise<void>;
    removeSubscriptions(client: { id: string }, topics: string[]): Promise<void>;
    subscriptionsByClient(client: { id: string }): Promise<({ topic: string; qos: number } & Record<string, unknown>)[]>;
    countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
    subscriptionsByTopic(topic: string): Promise<IndexedSubscription[]>;
    cleanSubscriptions(client: { id: string }): Promise<void>;
    getClientList(topic: string): Readable;
    destroy(): Promise<void>;
  }
  export = MemoryPersistence;
}
