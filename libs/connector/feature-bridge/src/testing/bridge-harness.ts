// A bridge on fakes only (STYLE.md "Engines take their I/O"): the in-memory outbox, the gated local bus,
// a fake cloud, fake time. One shared trace records the order of work across them.
import type { OutboxMessage, OutboxOptions } from '@ledge/shared/data-access-store';
import { createHonoProtocol } from '@ledge/connector/model-hono';
import type { ThingIdentity } from '@ledge/shared/model-edge';
import { createLogger } from '@ledge/shared/util';
import { createFakeTime, type FakeTime } from '@ledge/shared/util/testing';
import { createBridge, type Bridge } from '../bridge';
import type { BridgeOptions } from '../bridge-options';
import { createFakeCloud, type FakeCloud } from './fake-cloud';
import { createGatedLocalBus, type GatedLocalBus } from './gated-local-bus';
import { createMemoryOutbox, type MemoryOutbox } from './memory-outbox';
import { createMemoryTwinRecords, type MemoryTwinRecords } from './memory-twin-records';

export const IDENTITY: ThingIdentity = Object.freeze({ deviceId: 'demo:device', tenantId: 'demo' });

export interface HarnessSettings extends Partial<Pick<BridgeOptions, 'outboxMaxMessages' | 'outboxMaxBytes' | 'replayRate' | 'maxInFlight' | 'telemetryQos0Durable' | 'statusIntervalMs' | 'localTwins' | 'protocol'>> {
  /** Messages the outbox directory held from an earlier run. */
  readonly stored?: readonly OutboxMessage[];
  /** The local twins' records (default: a fresh in-memory store); pass one from an earlier harness to restart on it. */
  readonly twinRecords?: MemoryTwinRecords;
}

export interface Harness {
  readonly bridge: Bridge;
  readonly trace: string[];
  readonly time: FakeTime;
  readonly outbox: MemoryOutbox;
  /** What the bridge asked createOutbox for. */
  readonly outboxOptions: () => OutboxOptions | undefined;
  readonly local: GatedLocalBus;
  /** The first cloud client (attach() hands it over; the bridge starts it). */
  readonly cloud: FakeCloud;
  /** The local twins' records (used when localTwins is on). */
  readonly twinRecords: MemoryTwinRecords;
  attach(cloud?: FakeCloud): FakeCloud;
  /** Payloads the cloud received on topics starting with `prefix`, in order. */
  sent(prefix: string): string[];
  /** Topics in the outbox, oldest first. */
  queued(): string[];
}

type TestContext = { after(fn: () => unknown): void };

export async function startBridge(t: TestContext, settings: HarnessSettings = {}): Promise<Harness> {
  const { stored, twinRecords: givenRecords, ...bridgeSettings } = settings;
  const trace: string[] = [];
  const time = createFakeTime();
  const outbox = createMemoryOutbox({ trace, ...(stored ? { stored } : {}) });
  const local = createGatedLocalBus({ trace });
  let outboxOptions: OutboxOptions | undefined;
  const twinRecords = givenRecords ?? createMemoryTwinRecords(new Map(), trace);
  let ids = 0;
  const bridge = createBridge({
    protocol: createHonoProtocol(),
    local: {},
    localClientId: 'ledge-connector',
    outboxDir: '/var/lib/ledge/connector/outbox',
    outboxMaxMessages: 1000,
    outboxMaxBytes: 1 << 20,
    outboxFsync: 'always',
    replayRate: 0,
    maxInFlight: 100,
    telemetryQos0Durable: false,
    statusIntervalMs: 10_000,
    logger: createLogger({ name: 'test', level: 'silent' }),
    createOutbox(options) {
      outboxOptions = options;
      return outbox;
    },
    createLocalBus: local.createLocalBus,
    createTwinRecords: () => twinRecords,
    newId: () => `id-${++ids}`,
    clock: time.clock,
    scheduler: time.scheduler,
    ...bridgeSettings,
  });
  t.after(() => bridge.close());
  await bridge.start();
  await time.settle();
  const cloud = createFakeCloud();
  const clouds: FakeCloud[] = [cloud];
  return {
    bridge,
    trace,
    time,
    outbox,
    outboxOptions: () => outboxOptions,
    local,
    cloud,
    twinRecords,
    attach(cl = cloud) {
      if (!clouds.includes(cl)) clouds.push(cl);
      bridge.attachCloud(cl, IDENTITY);
      return cl;
    },
    sent: (prefix) => clouds.flatMap((c) => c.published.filter((p) => p.topic.startsWith(prefix)).map((p) => p.payload)),
    queued: () => outbox.peek().map((i) => i.message.topic),
  };
}
