// The connector engine: the local bus on one side, one cloud connection on the other, the durable
// outbox between them. Every QoS 1 uplink message is in the outbox before the local broker gets its
// PUBACK (data-access-mqtt `handleIncoming`), and leaves it only after the cloud's PUBACK (uplink.ts).
// Cloud commands go down in long and short form; responses go up only when the correlation cache
// (§2.1.5) knows them. Status (§1.1, §1.2) and identity announcements live here too.
import type { CloudProtocol, DeviceContext } from '@ledge/connector-model';
import type { CloudClient } from '@ledge/connector-cloud-mqtt';
import { createLocalBusClient, type BusPacket, type LocalBusClient, type LocalBusClientOptions } from '@ledge/data-access-mqtt';
import { createOutbox, type Outbox } from '@ledge/data-access-store';
import { getCorrelationId, getHeader, parseDittoTimeout, parseEnvelope } from '@ledge/model-ditto';
import {
  buildConnectedStatus,
  buildDisconnectedStatus,
  ConnectionCauses,
  EdgeTopicPublishOptions,
  EdgeTopics,
  encodeConnectionStatus,
  encodeThingIdentity,
  LAST_WILL_STATUS,
  type ConnectionCause,
  type ThingIdentity,
} from '@ledge/model-edge';
import { createCorrelationCache, parseHonoTopic } from '@ledge/model-hono';
import { createCloser, onlyOnce, type Logger } from '@ledge/util';
import { createOutboxQueue, type MessageClass } from './outbox-queue';
import { createCommandSubscriptionTracker, parseSysLogLine, SysLogTopics } from './sys-log';
import { createUplink } from './uplink';

export interface BridgeOptions {
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
  readonly logger: Logger;
  readonly now?: () => number;
}

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

export function createBridge(o: BridgeOptions): Bridge {
  const log = o.logger.child({ component: 'bridge' });
  const now = o.now ?? Date.now;
  const outbox: Outbox = createOutbox({
    dir: o.outboxDir,
    logger: o.logger,
    fsync: o.outboxFsync,
    // The bridge applies its own overflow rule first; the outbox's bound is only a safety net.
    maxItems: o.outboxMaxMessages * 2 + o.maxInFlight,
    maxBytes: o.outboxMaxBytes * 2 + 1024 * 1024,
  });
  const queue = createOutboxQueue({ outbox, maxMessages: o.outboxMaxMessages, maxBytes: o.outboxMaxBytes });
  const cache = createCorrelationCache({ now });
  const tracker = createCommandSubscriptionTracker([o.localClientId, ...KANTO_CLIENT_IDS]);
  const forwardSubs = o.protocol.deviceCommandSubscription !== undefined;
  const c = { droppedQos0Offline: 0, duplicatesReceived: 0, unknownResponses: 0, commands: 0, consumed: 0 };
  let cloud: CloudClient | undefined;
  let identity: ThingIdentity | undefined;
  let ctx: DeviceContext | undefined;
  let cause: ConnectionCause | undefined = ConnectionCauses.CONNECTION_UNKNOWN;
  let lastStatus = '';
  let statusTimer: NodeJS.Timeout | undefined;
  let closing = false;
  let finalStatus: Promise<void> | undefined;

  const uplink = createUplink({ queue, protocol: o.protocol, maxInFlight: o.maxInFlight, replayRate: o.replayRate, logger: log });

  const local = createLocalBusClient({
    ...o.local,
    clientId: o.localClientId,
    // Persistent session: while the connector is down the local broker queues QoS 1 uplink traffic.
    clean: false,
    will: { topic: EdgeTopics.connectionStatus, payload: encodeConnectionStatus(LAST_WILL_STATUS), qos: 1, retain: true },
    logger: o.logger,
    handleIncoming,
  });

  function outboxStatus() {
    const oldest = queue.oldestTs();
    return { depth: queue.depth, oldestAgeMs: oldest === undefined ? 0 : Math.max(0, now() - oldest) };
  }

  async function publishStatus(force: boolean): Promise<void> {
    const outboxNow = outboxStatus();
    const status = cause === undefined ? buildConnectedStatus({ nowMs: now(), outbox: outboxNow }) : buildDisconnectedStatus({ nowMs: now(), cause, outbox: outboxNow });
    const key = `${cause ?? ''}:${outboxNow.depth}:${Math.round(outboxNow.oldestAgeMs / 1000)}`;
    if (!force && key === lastStatus) return;
    lastStatus = key;
    if (!local.connected) return;
    const sent = local.publish(EdgeTopics.connectionStatus, encodeConnectionStatus(status), EdgeTopicPublishOptions.connectionStatus).catch((err: unknown) => log.debug({ err }, 'status not published'));
    // While closing, the local bus's close() bounds the wait for this PUBACK (closeTimeoutMs) and fails
    // it once closed: a broker that stops with us (ledge run --processes) never sends it, and MQTT.js
    // would keep the publish for a reconnect that never comes, holding the shutdown until SIGKILL.
    if (closing) finalStatus = sent;
    else await sent;
  }

  function announceIdentity(): void {
    if (identity === undefined || !local.connected) return;
    local.publish(EdgeTopics.thingResponse, encodeThingIdentity(identity), EdgeTopicPublishOptions.thingResponse).catch((err: unknown) => log.debug({ err }, 'identity not published'));
  }

  async function handleIncoming(p: BusPacket): Promise<void> {
    if (p.dup) c.duplicatesReceived++;
    if (p.topic.startsWith('$SYS/')) return onSysLog(p);
    if (p.topic === EdgeTopics.thingRequest) return announceIdentity();
    const parsed = parseHonoTopic(p.topic);
    if (!parsed.ok || parsed.topic.kind === 'command-request') return;
    const cls: MessageClass = parsed.topic.kind === 'telemetry' ? 't' : parsed.topic.kind === 'event' ? 'e' : 'r';
    if (cls === 'r' && !responseExpected(p)) return;
    const qos = p.qos === 0 ? 0 : 1;
    if (qos === 0 && !o.telemetryQos0Durable) return sendAtMostOnce(p);
    const entry = await queue.append({ topic: p.topic, payload: p.payload, qos, cls, ts: now() });
    // The cloud publish need not wait for the disk (issue 3): the message is in the journal's pending
    // batch already, and a cloud PUBACK only appends an ack record *behind* it, so no crash can keep
    // the removal without the message. Only the local PUBACK waits for the flush below — written and
    // fdatasync'ed unless fsync is 'never' — so a crash before it makes the broker redeliver: a
    // duplicate at worst, never a loss. Enqueue order is append order, so per-topic order holds.
    if (entry !== undefined) uplink.enqueued(entry);
    await outbox.flush();
  }

  /** §2.1.5: a response goes up only if its correlation-id came down within timeout + 5 s; once. */
  function responseExpected(p: BusPacket): boolean {
    const env = parseEnvelope(p.payload);
    const id = env.ok ? getCorrelationId(env.envelope.headers) : undefined;
    if (id !== undefined && cache.take(id)) return true;
    c.unknownResponses++;
    log.debug({ topic: p.topic, correlationId: id }, 'unknown or late command response dropped');
    return false;
  }

  function sendAtMostOnce(p: BusPacket): void {
    const cl = cloud;
    if (!cl?.connected || ctx === undefined) {
      c.droppedQos0Offline++;
      return;
    }
    const mapped = o.protocol.toCloud({ topic: p.topic, payload: p.payload, qos: 0 }, ctx);
    if (!mapped.ok) return;
    for (const m of mapped.messages) cl.publish(m.topic, m.payload, m.qos === 0 ? 0 : 1).catch(() => c.droppedQos0Offline++);
  }

  function onSysLog(p: BusPacket): void {
    if (!forwardSubs) return;
    const event = parseSysLogLine(p.topic, p.payload.toString('utf8'));
    if (event === undefined) return;
    const change = tracker.apply(event);
    for (const f of change.added) void cloud?.subscribe(f, 0);
    for (const f of change.removed) void cloud?.unsubscribe(f);
    if (change.added.length + change.removed.length > 0) log.info({ added: change.added, removed: change.removed }, 'sub-device command subscriptions changed');
  }

  function onCloudMessage(m: { topic: string; payload: Buffer; qos: 0 | 1 }): void {
    if (ctx === undefined) return;
    // Every message on the protocol's cloud subscriptions goes through toLocal (AWS shadow responses too).
    const mapped = o.protocol.toLocal(m, ctx);
    if (!mapped.ok) {
      log.debug({ topic: m.topic, reason: mapped.drop }, 'cloud message not routable locally; dropped');
      return;
    }
    if (mapped.messages.length === 0) {
      c.consumed++;
      return;
    }
    c.commands++;
    // Only commands that reach local apps can be answered: remember their correlation-id (§2.1.5).
    const env = parseEnvelope(m.payload);
    if (env.ok) {
      const id = getCorrelationId(env.envelope.headers);
      if (id !== undefined) cache.remember(id, parseDittoTimeout(getHeader(env.envelope.headers, 'timeout')));
    }
    for (const l of mapped.messages) {
      local.publish(l.topic, l.payload, { qos: l.qos === 0 ? 0 : 1 }).catch((err: unknown) => log.warn({ err, topic: l.topic }, 'command not delivered locally'));
    }
  }

  const closer = createCloser(log);

  async function detachCloud(newCause: ConnectionCause): Promise<void> {
    const cl = cloud;
    cloud = undefined;
    uplink.disconnected();
    cause = newCause;
    if (cl) {
      cl.removeAllListeners();
      await cl.close();
    }
    await publishStatus(true);
  }

  return {
    localBus: local,
    async start() {
      await outbox.open();
      closer.add('outbox', () => outbox.close());
      const loaded = queue.load();
      log.info({ queued: loaded.length }, 'outbox loaded');
      const filters = [...o.protocol.localSubscriptions, EdgeTopics.thingRequest];
      local.on('connected', () => {
        void publishStatus(true);
        announceIdentity();
      });
      await local.start();
      closer.add('local bus', () => local.close());
      await local.subscribe(filters, { qos: 1 });
      if (forwardSubs) await local.subscribe([SysLogTopics.subscribe, SysLogTopics.unsubscribe, SysLogTopics.notice], { qos: 0 });
      statusTimer = setInterval(() => void publishStatus(false), o.statusIntervalMs);
      statusTimer.unref();
      closer.add('status timer', () => clearInterval(statusTimer));
    },
    attachCloud(cl, id) {
      cloud = cl;
      identity = id;
      ctx = { deviceId: id.deviceId, tenantId: id.tenantId, now };
      const context = ctx;
      for (const f of o.protocol.cloudSubscriptions(context)) void cl.subscribe(f, 1);
      if (forwardSubs) for (const f of tracker.filters()) void cl.subscribe(f, 0);
      cl.on('message', onCloudMessage);
      cl.on('connected', () => {
        cause = undefined;
        uplink.connected(cl, context);
        void publishStatus(true);
        announceIdentity();
      });
      cl.on('disconnected', (info) => {
        uplink.disconnected();
        // A credentials renewal (Azure SAS) reconnects at once: no status flap for local apps.
        if (info.renewal === true) return;
        cause = info.cause;
        void publishStatus(true);
      });
      cl.start();
      announceIdentity();
    },
    detachCloud,
    async setCause(newCause) {
      cause = newCause;
      await publishStatus(true);
    },
    counters: () => {
      const u = uplink.stats();
      return {
        droppedTelemetry: queue.dropped.telemetry,
        droppedEvents: queue.dropped.events,
        droppedResponses: queue.dropped.responses,
        unknownResponses: c.unknownResponses,
        droppedQos0Offline: c.droppedQos0Offline,
        duplicatesReceived: c.duplicatesReceived + tracker.duplicates,
        unroutable: u.unroutable,
        delivered: u.delivered,
        commands: c.commands,
        consumed: c.consumed,
        outboxDepth: queue.depth,
        outboxBytes: queue.bytes,
      };
    },
    close: onlyOnce(async () => {
      closing = true;
      uplink.close();
      await detachCloud(ConnectionCauses.CONNECTION_CLOSED);
      await closer.close();
      await finalStatus;
      log.info({ closing, ...uplink.stats() }, 'bridge closed');
    }),
  };
}
