// Local → cloud intake: every PUBLISH the local bus hands over (data-access-mqtt `handleIncoming`).
// A QoS 1 uplink message is in the outbox — appended and flushed — before the returned promise
// resolves, and the local PUBACK waits for that promise; a failed append rejects it, so the broker
// delivers the message again. Command responses pass only with a cached correlation-id (§2.1.5).
import type { CloudProtocol, DeviceContext } from '@ledge/connector/model-connector';
import type { CloudClient } from '@ledge/connector/data-access-cloud-mqtt';
import type { BusPacket } from '@ledge/shared/data-access-mqtt';
import type { Outbox } from '@ledge/shared/data-access-store';
import { getCorrelationId, parseEnvelope } from '@ledge/shared/model-ditto';
import { EdgeTopics } from '@ledge/shared/model-edge';
import { parseHonoTopic } from '@ledge/shared/model-hono';
import type { Clock, Logger } from '@ledge/shared/util';
import type { MessageClass, OutboxQueue } from './outbox-queue';
import type { Twins } from './bridge-twins';
import type { Uplink } from './uplink';

export interface CloudLink {
  readonly client: CloudClient;
  readonly ctx: DeviceContext;
}

export interface IntakeOptions {
  readonly protocol: CloudProtocol;
  readonly queue: Pick<OutboxQueue, 'append'>;
  readonly outbox: Pick<Outbox, 'flush'>;
  readonly uplink: Pick<Uplink, 'enqueued'>;
  /** §2.1.5: true once per correlation-id seen on a command within its timeout + 5 s. */
  readonly takeCorrelation: (id: string) => boolean;
  readonly telemetryQos0Durable: boolean;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** The cloud link while one is attached (QoS 0 goes straight to it). */
  readonly cloud: () => CloudLink | undefined;
  readonly onThingRequest: () => void;
  readonly onSysLog: (p: BusPacket) => void;
  /** Local twins: a twin command on `e`/`event` goes to the twin store instead of the outbox (bridge-twins.ts). */
  readonly twins: Pick<Twins, 'handleLocal'>;
}

export interface IntakeCounters {
  droppedQos0Offline: number;
  duplicatesReceived: number;
  unknownResponses: number;
}

export interface Intake {
  /** The local bus's `handleIncoming`: resolves once the message may be acknowledged locally. */
  handle(p: BusPacket): Promise<void>;
  readonly counters: Readonly<IntakeCounters>;
}

export function createIntake(o: IntakeOptions): Intake {
  const log = o.logger;
  const c: IntakeCounters = { droppedQos0Offline: 0, duplicatesReceived: 0, unknownResponses: 0 };

  /** §2.1.5: a response goes up only if its correlation-id came down within timeout + 5 s; once. */
  function responseExpected(p: BusPacket): boolean {
    const env = parseEnvelope(p.payload);
    const id = env.ok ? getCorrelationId(env.envelope.headers) : undefined;
    if (id !== undefined && o.takeCorrelation(id)) return true;
    c.unknownResponses++;
    log.debug({ topic: p.topic, correlationId: id }, 'unknown or late command response dropped');
    return false;
  }

  function sendAtMostOnce(p: BusPacket): void {
    const link = o.cloud();
    if (!link?.client.connected) {
      c.droppedQos0Offline++;
      return;
    }
    const mapped = o.protocol.toCloud({ topic: p.topic, payload: p.payload, qos: 0 }, link.ctx);
    if (!mapped.ok) return;
    for (const m of mapped.messages) link.client.publish(m.topic, m.payload, m.qos === 0 ? 0 : 1).catch(() => c.droppedQos0Offline++);
  }

  /** The uplink gets what local apps published in arrival order: each step waits for the ones before it. */
  let ordered: Promise<unknown> = Promise.resolve();
  function inOrder<T>(ready: Promise<T>, step: (value: T) => void): Promise<void> {
    // Handled now (a failed append rejects `turn` below): not an unhandled rejection while it waits its turn.
    ready.catch(() => undefined);
    const turn = ordered.then(() => ready).then(step);
    ordered = turn.catch(() => undefined);
    return turn;
  }

  return {
    async handle(p) {
      if (p.dup) c.duplicatesReceived++;
      if (p.topic.startsWith('$SYS/')) return o.onSysLog(p);
      if (p.topic === EdgeTopics.thingRequest) return o.onThingRequest();
      const parsed = parseHonoTopic(p.topic);
      if (!parsed.ok || parsed.topic.kind === 'command-request') return;
      const cls: MessageClass = parsed.topic.kind === 'telemetry' ? 't' : parsed.topic.kind === 'event' ? 'e' : 'r';
      if (cls === 'e') {
        const change = o.twins.handleLocal(p);
        if (change !== undefined) {
          void inOrder(Promise.resolve(), () => change.forward());
          return change.durable;
        }
      }
      if (cls === 'r' && !responseExpected(p)) return;
      const qos = p.qos === 0 ? 0 : 1;
      if (qos === 0 && !o.telemetryQos0Durable) return sendAtMostOnce(p);
      const appended = o.queue.append({ topic: p.topic, payload: p.payload, qos, cls, ts: o.clock.now() });
      // The cloud publish need not wait for the disk (issue 3): the message is in the journal's pending
      // batch already, and a cloud PUBACK only appends an ack record *behind* it, so no crash can keep
      // the removal without the message. Only the local PUBACK waits for the flush below — written and
      // fdatasync'ed unless fsync is 'never' — so a crash before it makes the broker redeliver: a
      // duplicate at worst, never a loss. Enqueue order is arrival order (local twin changes included).
      await inOrder(appended, (entry) => {
        if (entry !== undefined) o.uplink.enqueued(entry);
      });
      await o.outbox.flush();
    },
    counters: c,
  };
}
