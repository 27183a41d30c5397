// What the bridge is built from: its settings, and its I/O as injected collaborators (STYLE.md "Engines
// take their I/O") with today's objects as the defaults, so the engine is unit-tested with fakes.
import type { CloudProtocol } from '@ledge/connector/model-connector';
import { createLocalBusClient, type LocalBusClient, type LocalBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { createOutbox, createRecordStore, type Outbox, type OutboxOptions } from '@ledge/shared/data-access-store';
import { systemClock, systemScheduler, type Clock, type Logger, type Scheduler } from '@ledge/shared/util';
import { randomUUID } from 'node:crypto';
import type { TwinRecords } from './twin-store';

/** Builds the durable outbox from the bridge's settings (directory, fsync policy, safety-net bounds). */
export type OutboxFactory = (options: OutboxOptions) => Outbox;
/**
 * Builds the local-bus client. It must honour `handleIncoming`: a QoS 1 PUBACK leaves only once the
 * returned promise resolved, and a rejection means no PUBACK (the broker delivers the message again).
 */
export type LocalBusFactory = (options: LocalBusClientOptions) => LocalBusClient;

/** The local twins' durable records (data-access-store's record store), opened and closed by the bridge. */
export interface TwinRecordStore extends TwinRecords {
  open(): Promise<void>;
  close(): Promise<void>;
}
export type TwinRecordStoreFactory = (options: { dir: string; logger: Logger; fsync: 'always' | 'interval' | 'never' }) => TwinRecordStore;

export interface BridgeIo {
  readonly createOutbox: OutboxFactory;
  readonly createTwinRecords: TwinRecordStoreFactory;
  /** Correlation-ids of the sync's cloud requests. */
  readonly newId: () => string;
  readonly createLocalBus: LocalBusFactory;
  readonly clock: Clock;
  /** Status heartbeat, replay pacing, the uplink's once-per-turn pump. */
  readonly scheduler: Scheduler;
}

export interface BridgeOptions extends Partial<BridgeIo> {
  readonly protocol: CloudProtocol;
  /** Local bus connection (url, credentials, TLS); client id, session and will are set here. */
  readonly local: LocalBusClientOptions;
  readonly localClientId: string;
  readonly outboxDir: string;
  readonly outboxMaxMessages: number;
  readonly outboxMaxBytes: number;
  readonly outboxFsync: 'always' | 'interval' | 'never';
  readonly replayRate: number;
  readonly maxInFlight: number;
  readonly telemetryQos0Durable: boolean;
  readonly statusIntervalMs: number;
  /** Kanto's local-digital-twins as a capability (issue 20): twin commands go to a durable twin store in `twinsDir`. */
  readonly localTwins?: boolean;
  readonly twinsDir?: string;
  readonly logger: Logger;
}

export const defaultBridgeOptions: Readonly<BridgeIo> = Object.freeze({
  createOutbox,
  createTwinRecords: createRecordStore,
  newId: randomUUID,
  createLocalBus: createLocalBusClient,
  clock: systemClock,
  scheduler: systemScheduler,
});
