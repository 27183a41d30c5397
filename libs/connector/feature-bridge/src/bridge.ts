// The connector engine: the local bus on one side, one cloud connection on the other, the durable
// outbox between them. Every QoS 1 uplink message is in the outbox before the local broker gets its
// PUBACK (bridge-intake.ts via data-access-mqtt `handleIncoming`), and leaves it only after the cloud's
// PUBACK (uplink.ts). Cloud commands go down in long and short form; responses go up only when the
// correlation cache (§2.1.5) knows them (bridge-commands.ts). Status (§1.1, §1.2) in bridge-status.ts.
// With local twins on, twin commands are in the twin store instead of the outbox before their PUBACK
// (bridge-twins.ts). Its I/O — outbox, twin records, local bus, clock, timers — is injected
// (bridge-options.ts); the cloud client comes in through attachCloud.
import type { CloudClient } from '@ledge/connector/data-access-cloud-mqtt';
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { ConnectionCauses, EdgeTopics, encodeConnectionStatus, LAST_WILL_STATUS, type ConnectionCause, type ThingIdentity } from '@ledge/shared/model-edge';
import { createCorrelationCache } from '@ledge/shared/model-hono';
import { createCloser, onlyOnce, withDefaults } from '@ledge/shared/util';
import { createCloudLinkHolder } from './bridge-cloud-link';
import { createCommands } from './bridge-commands';
import { createIntake } from './bridge-intake';
import { defaultBridgeOptions, type BridgeIo, type BridgeOptions } from './bridge-options';
import { createStatusPublisher } from './bridge-status';
import { createOutboxQueue } from './outbox-queue';
import { createCommandSubscriptionTracker, SysLogTopics } from './sys-log';
import { createTwins } from './bridge-twins';
import { createTwinStore } from './twin-store';
import { createUplink } from './uplink';

export interface BridgeCounters {
  droppedTelemetry: number;
  droppedEvents: number;
  droppedResponses: number;
  unknownResponses: number;
  droppedQos0Offline: number;
  duplicatesReceived: number;
  unroutable: number;
  delivered: number;
  commands: number;
  /** Cloud messages the protocol used itself (e.g. AWS shadow `accepted` responses), nothing published locally. */
  consumed: number;
}

export interface Bridge {
  start(): Promise<void>;
  /** Bridges to `cloud` for `identity` (the caller created it; the bridge starts and closes it). */
  attachCloud(cloud: CloudClient, identity: ThingIdentity): void;
  /** Closes the cloud connection and publishes `cause`. */
  detachCloud(cause: ConnectionCause): Promise<void>;
  /** Publishes a disconnected status with `cause` (e.g. PROVISIONING_MISSING while idle). */
  setCause(cause: ConnectionCause): Promise<void>;
  counters(): BridgeCounters & { outboxDepth: number; outboxBytes: number };
  readonly localBus: LocalBusClient;
  close(): Promise<void>;
}

const KANTO_CLIENT_IDS = ['connector', 'cloud'];

/** The parts and how they talk to each other; createBridge adds the lifecycle. */
function wire(o: BridgeOptions & BridgeIo) {
  const { clock, scheduler } = o;
  const log = o.logger.child({ component: 'bridge' });
  const now = () => clock.now();
  const outbox = o.createOutbox({
    dir: o.outboxDir,
    logger: o.logger,
    fsync: o.outboxFsync,
    // The bridge applies its own overflow rule first; the outbox's bound is only a safety net.
    maxItems: o.outboxMaxMessages * 2 + o.maxInFlight,
    maxBytes: o.outboxMaxBytes * 2 + 1024 * 1024,
    now,
  });
  const queue = createOutboxQueue({ outbox, maxMessages: o.outboxMaxMessages, maxBytes: o.outboxMaxBytes, now });
  const cache = createCorrelationCache({ now });
  const tracker = createCommandSubscriptionTracker([o.localClientId, ...KANTO_CLIENT_IDS]);
  const uplink = createUplink({ queue, protocol: o.protocol, maxInFlight: o.maxInFlight, replayRate: o.replayRate, logger: log, clock, scheduler });
  const local = o.createLocalBus({
    ...o.local,
    clientId: o.localClientId,
    // Persistent session: while the connector is down the local broker queues QoS 1 uplink traffic.
    clean: false,
    will: { topic: EdgeTopics.connectionStatus, payload: encodeConnectionStatus(LAST_WILL_STATUS), qos: 1, retain: true },
    logger: o.logger,
    handleIncoming: (p) => intake.handle(p),
  });
  const status = createStatusPublisher({ local, queue, clock, scheduler, intervalMs: o.statusIntervalMs, logger: log });
  const twinRecords = o.localTwins === true ? o.createTwinRecords({ dir: o.twinsDir ?? `${o.outboxDir}-twins`, logger: o.logger, fsync: o.outboxFsync }) : undefined;
  let twinStore: ReturnType<typeof createTwinStore> | undefined;
  const twins = createTwins({
    protocol: o.protocol,
    // Built on open (it indexes the records).
    store: () => twinStore,
    local,
    cloud: () => link.current(),
    uplink,
    scheduler,
    logger: o.logger,
    newId: o.newId,
  });
  const commands = createCommands({ protocol: o.protocol, local, rememberCorrelation: (id, ms) => void cache.remember(id, ms), tracker, logger: log, cloud: () => link.current()?.client, twins });
  const link = createCloudLinkHolder({ uplink, commands, status, twins, now });
  const intake = createIntake({
    protocol: o.protocol,
    queue,
    outbox,
    uplink,
    takeCorrelation: (id) => cache.take(id),
    telemetryQos0Durable: o.telemetryQos0Durable,
    clock,
    logger: log,
    cloud: () => link.current(),
    onThingRequest: () => link.announceIdentity(),
    onSysLog: (p) => commands.onSysLog(p),
    twins,
  });
  const openTwins = async (): Promise<typeof twinRecords> => {
    if (twinRecords === undefined) return undefined;
    await twinRecords.open();
    twinStore = createTwinStore(twinRecords);
    return twinRecords;
  };
  return { log, outbox, queue, tracker, uplink, local, status, commands, link, intake, twins, openTwins };
}

function collectCounters(p: Pick<ReturnType<typeof wire>, 'queue' | 'uplink' | 'intake' | 'commands' | 'tracker'>): BridgeCounters & { outboxDepth: number; outboxBytes: number } {
  const u = p.uplink.stats();
  return {
    droppedTelemetry: p.queue.dropped.telemetry,
    droppedEvents: p.queue.dropped.events,
    droppedResponses: p.queue.dropped.responses,
    unknownResponses: p.intake.counters.unknownResponses,
    droppedQos0Offline: p.intake.counters.droppedQos0Offline,
    duplicatesReceived: p.intake.counters.duplicatesReceived + p.tracker.duplicates,
    unroutable: u.unroutable,
    delivered: u.delivered,
    commands: p.commands.counters.commands,
    consumed: p.commands.counters.consumed,
    outboxDepth: p.queue.depth,
    outboxBytes: p.queue.bytes,
  };
}

export function createBridge(options: BridgeOptions): Bridge {
  const parts = wire(withDefaults(defaultBridgeOptions, options));
  const { log, outbox, queue, uplink, local, status, link, twins } = parts;
  const protocol = options.protocol;
  const closer = createCloser(log);

  return {
    localBus: local,
    async start() {
      await outbox.open();
      closer.add('outbox', () => outbox.close());
      const loaded = queue.load();
      log.info({ queued: loaded.length }, 'outbox loaded');
      const twinRecords = await parts.openTwins();
      if (twinRecords !== undefined) {
        closer.add('twin store', () => twinRecords.close());
        log.info({ things: twinRecords.keys('t\u0000').length }, 'local twins loaded');
      }
      local.on('connected', () => {
        void status.publish(true);
        link.announceIdentity();
      });
      await local.start();
      closer.add('local bus', () => local.close());
      await local.subscribe([...protocol.localSubscriptions, EdgeTopics.thingRequest], { qos: 1 });
      if (protocol.deviceCommandSubscription !== undefined) await local.subscribe([SysLogTopics.subscribe, SysLogTopics.unsubscribe, SysLogTopics.notice], { qos: 0 });
      status.startHeartbeat();
      closer.add('status timer', () => status.stopHeartbeat());
    },
    attachCloud: (cl, id) => link.attach(cl, id),
    detachCloud: (cause) => link.detach(cause),
    async setCause(newCause) {
      status.setCause(newCause);
      await status.publish(true);
    },
    counters: () => collectCounters(parts),
    close: onlyOnce(async () => {
      status.closing();
      uplink.close();
      twins.close();
      await link.detach(ConnectionCauses.CONNECTION_CLOSED);
      await closer.close();
      await status.finalStatus();
      log.info({ closing: true, ...uplink.stats() }, 'bridge closed');
    }),
  };
}
