// The connector's local digital twins (Kanto's local-digital-twins, issue 20), and the desired state any
// cloud reports. With `localTwins` on, twin commands local apps publish on `e`/`event` are applied to the
// durable twin store (flushed before the local PUBACK, so a kill loses nothing acknowledged), answered and
// announced on the local bus, and forwarded while online; what the cloud has not acknowledged stays
// unsynchronised and is pushed by the sync SYNC_DELAY after each connect (after the cloud's desired
// properties were fetched, so a push never overwrites them). Twin commands do not enter the outbox: the
// store is their durable record, and the sync sends the last state instead of every step.
// Off (Kanto's default), only the cloud's desired state is handled: published as local twin events.
// The rules are model-twins' pure functions; this file is the wiring (store, local bus, cloud, timers).
import type { CloudProtocol, DesiredUpdate, DeviceContext } from '@ledge/connector/model-connector';
import type { CloudMessage } from '@ledge/connector/data-access-cloud-mqtt';
import {
  applyDesired,
  desiredEvents,
  handleLocalTwinCommand,
  knownTwins,
  parseRetrieveDesiredResponse,
  pushCommands,
  retrieveDesiredCommand,
  syncMarkWrites,
  type TwinContext,
  type TwinMessage,
  type TwinUplink,
} from '@ledge/connector/model-twins';
import type { BusPacket, LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { getCorrelationId, parseEnvelope } from '@ledge/shared/model-ditto';
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';
import type { CloudLink } from './bridge-intake';
import type { TwinStore } from './twin-store';
import type { Uplink } from './uplink';

/** Kanto's local-digital-twins waits 2 s after a connect before it synchronises. */
export const SYNC_DELAY_MS = 2_000;
/** How long a Hono sync waits for the cloud's desired properties before it pushes without them. */
export const RETRIEVE_TIMEOUT_MS = 10_000;

export interface TwinsOptions {
  readonly protocol: CloudProtocol;
  /** The twin store when local twins are on (once open); undefined: off. */
  readonly store: () => TwinStore | undefined;
  readonly local: Pick<LocalBusClient, 'publish'>;
  readonly cloud: () => CloudLink | undefined;
  /** Twin changes go up in the uplink's live lane. */
  readonly uplink: Pick<Uplink, 'sendTransient'>;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly newId: () => string;
  readonly syncDelayMs?: number;
  readonly retrieveTimeoutMs?: number;
}

export interface TwinCounters {
  /** Local twin commands applied to the store. */
  applied: number;
  /** Cloud publishes that carried local twin changes (forwards and sync pushes), acknowledged. */
  synced: number;
  /** Desired-property updates from the cloud. */
  desired: number;
  conflicts: number;
}

export interface LocalTwinChange {
  readonly durable: Promise<void>;
  forward(): void;
}

export interface Twins {
  /**
   * A local message on `e`/`event`: undefined when it is not a twin command the store handles (the
   * caller forwards it as before); else the change, applied: `durable` resolves once it is on disk (the
   * local PUBACK waits for it), and `forward` sends it up — the caller calls it in the order the local
   * messages arrived, so twin changes keep their place among the events.
   */
  handleLocal(p: BusPacket): LocalTwinChange | undefined;
  /** A cloud message the twins consume (a Hono answer to the sync's retrieve): true when consumed. */
  handleCloud(m: CloudMessage, ctx: DeviceContext): boolean;
  /** Desired properties a protocol mapped from a cloud message. */
  applyDesired(updates: readonly DesiredUpdate[], ctx: DeviceContext): void;
  connected(link: CloudLink): void;
  disconnected(): void;
  readonly counters: Readonly<TwinCounters>;
  close(): void;
}

export function createTwins(o: TwinsOptions): Twins {
  const log = o.logger.child({ component: 'local-twins' });
  const c: TwinCounters = { applied: 0, synced: 0, desired: 0, conflicts: 0 };
  const syncDelayMs = o.syncDelayMs ?? SYNC_DELAY_MS;
  const retrieveTimeoutMs = o.retrieveTimeoutMs ?? RETRIEVE_TIMEOUT_MS;
  /** Hono sync: correlation-id of a pending retrieve → thing ID, with its timeout. */
  const pending = new Map<string, { thingId: string; timer: Timer }>();
  let syncTimer: Timer | undefined;

  const twinCtx = (ctx: Pick<DeviceContext, 'deviceId' | 'tenantId' | 'now'>): TwinContext => ({ deviceId: ctx.deviceId, tenantId: ctx.tenantId, now: ctx.now, newId: o.newId });

  function publishLocal(messages: readonly TwinMessage[]): void {
    for (const m of messages) {
      o.local.publish(m.topic, Buffer.from(JSON.stringify(m.envelope)), { qos: 1 }).catch((err: unknown) => log.warn({ err, topic: m.topic }, 'twin message not delivered locally'));
    }
  }

  /**
   * Publishes one twin change at the cloud in the uplink's live lane (in order with the events local apps
   * publish); its marks are set once every cloud publish it maps to was acknowledged. Offline, or when the
   * connection ends first, it stays unsynchronised: the next sync pushes it.
   */
  function send(message: TwinUplink): void {
    o.uplink.sendTransient({
      topic: message.topic,
      payload: Buffer.from(JSON.stringify(message.envelope)),
      onAcked() {
        c.synced++;
        log.debug({ path: message.envelope.path, marks: message.marks.length }, 'twin change acknowledged by the cloud');
        const store = o.store();
        if (store !== undefined) for (const mark of message.marks) store.apply(syncMarkWrites(store, mark));
      },
      onUnroutable: (reason) => log.warn({ topic: message.topic, path: message.envelope.path, reason }, 'twin change not routable to the cloud; it stays unsynchronised'),
    });
  }

  function push(thingId: string, link: CloudLink, desiredKnown: boolean): void {
    const store = o.store();
    if (store === undefined) return;
    const uplinks = pushCommands(store, thingId, twinCtx(link.ctx), { desiredKnown });
    log.info({ thingId, changes: uplinks.length, desiredKnown }, 'pushing the local twin to the cloud');
    for (const u of uplinks) send(u);
  }

  function sync(): void {
    syncTimer = undefined;
    const store = o.store();
    const link = o.cloud();
    if (store === undefined || link === undefined || !link.client.connected) return;
    for (const thingId of store.thingIds()) {
      // AWS and Azure fetched the desired state at connect (connectRequests); their pushes carry reported state only.
      if (o.protocol.connectRequests !== undefined) {
        push(thingId, link, true);
        continue;
      }
      const correlationId = o.newId();
      const retrieve = retrieveDesiredCommand(store, thingId, correlationId, twinCtx(link.ctx));
      if (retrieve === undefined) {
        push(thingId, link, true);
        continue;
      }
      const timer = o.scheduler.setTimeout(() => {
        pending.delete(correlationId);
        log.warn({ thingId, timeoutMs: retrieveTimeoutMs }, 'the cloud did not answer the desired-properties retrieve; pushing without overwriting them');
        const l = o.cloud();
        if (l !== undefined) push(thingId, l, false);
      }, retrieveTimeoutMs);
      pending.set(correlationId, { thingId, timer });
      send({ ...retrieve, marks: [] });
    }
  }

  function applyAndAnnounce(updates: readonly DesiredUpdate[], ctx: DeviceContext): void {
    c.desired += updates.length;
    const store = o.store();
    if (store === undefined) {
      publishLocal(desiredEvents(updates, twinCtx(ctx)));
      return;
    }
    const out = applyDesired(store, updates, twinCtx(ctx));
    try {
      store.apply(out.writes);
    } catch (err) {
      log.warn({ err, features: updates.map((u) => u.featureId) }, 'desired properties from the cloud refused by the twin store; published to local apps only');
      publishLocal(desiredEvents(updates, twinCtx(ctx)));
      return;
    }
    for (const conflict of out.conflicts) {
      c.conflicts++;
      log.warn({ thingId: conflict.thingId, featureId: conflict.featureId }, 'desired properties changed locally and in the cloud: the cloud value is kept');
    }
    // Local apps hear of the change once it is durable.
    store.flush().then(
      () => publishLocal(out.local),
      (err: unknown) => log.error({ err }, 'cannot store the desired properties from the cloud'),
    );
  }

  function clearPending(): void {
    for (const p of pending.values()) p.timer.cancel();
    pending.clear();
  }

  return {
    handleLocal(p) {
      const store = o.store();
      if (store === undefined) return undefined;
      const parsed = parseEnvelope(p.payload);
      if (!parsed.ok) return undefined;
      const link = o.cloud();
      const ctx = link?.ctx;
      if (ctx === undefined) return undefined;
      const outcome = handleLocalTwinCommand(store, parsed.envelope, twinCtx(ctx));
      if (!outcome.handled) return undefined;
      try {
        store.apply(outcome.writes);
      } catch (err) {
        // The store refused the change (e.g. a feature grown past the largest record): it changed nothing.
        // The command goes the way it goes without local twins (the outbox), so the cloud still gets it and
        // the broker never redelivers it in a loop; the local twin lacks this change.
        log.warn({ err, thingId: ctx.deviceId, path: parsed.envelope.path }, 'twin change refused by the twin store; forwarded through the outbox');
        return undefined;
      }
      c.applied++;
      // The cloud publish does not wait for the disk (events in the outbox do not either): the write is
      // queued in the journal, and a mark set by the cloud's PUBACK lands behind it, so no crash keeps the
      // mark without the change. Only the local PUBACK (and the local answer) waits for the flush.
      const forward = outcome.forward;
      return {
        durable: store.flush().then(() => publishLocal(outcome.local)),
        forward: () => {
          if (forward !== undefined) send(forward);
        },
      };
    },
    handleCloud(m, ctx) {
      const store = o.store();
      if (pending.size === 0) return false;
      const parsed = parseEnvelope(m.payload);
      if (!parsed.ok) return false;
      const id = getCorrelationId(parsed.envelope.headers);
      const p = id === undefined ? undefined : pending.get(id);
      if (p === undefined || store === undefined) return false;
      pending.delete(id!);
      p.timer.cancel();
      const answer = parseRetrieveDesiredResponse(parsed.envelope, p.thingId, store);
      const link = o.cloud();
      if (!answer.ok) {
        log.warn({ thingId: p.thingId, problem: answer.problem }, 'the cloud refused the desired-properties retrieve; pushing without overwriting them');
        if (link !== undefined) push(p.thingId, link, false);
        return true;
      }
      applyAndAnnounce(answer.desired, ctx);
      if (link !== undefined) push(p.thingId, link, true);
      return true;
    },
    applyDesired: applyAndAnnounce,
    connected(link) {
      if (o.protocol.connectRequests !== undefined) {
        const known = o.store();
        const requests = o.protocol.connectRequests(link.ctx, known === undefined ? [] : knownTwins(known));
        for (const r of requests) link.client.publish(r.topic, r.payload, r.qos === 0 ? 0 : 1).catch((err: unknown) => log.debug({ err, topic: r.topic }, 'desired-state request not acknowledged'));
      }
      const store = o.store();
      if (store === undefined) return;
      syncTimer?.cancel();
      syncTimer = o.scheduler.setTimeout(sync, syncDelayMs);
    },
    disconnected() {
      syncTimer?.cancel();
      syncTimer = undefined;
      clearPending();
    },
    counters: c,
    close() {
      syncTimer?.cancel();
      syncTimer = undefined;
      clearPending();
    },
  };
}
