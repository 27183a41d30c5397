// The durable state of the aedes session store, changed only by applying journal records: the same
// function serves live writes and replay, so what is replayed is what was live.
import { OutgoingQueues } from './outgoing-queues';
import type { PersistedPacket, PersistenceSubscription } from './packet';
import { RecordType, type SessionRecord } from './session-records';

/** A stored subscription minus its topic: exactly what aedes-persistence keeps per topic. */
export type SubscriptionOptions = Omit<PersistenceSubscription, 'topic'>;

export function subscriptionOptions(sub: PersistenceSubscription): SubscriptionOptions {
  const o: SubscriptionOptions = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl };
  // MQTT 5 Subscription Identifier: kept only when present, like aedes-persistence
  if (sub.subscriptionIdentifier !== undefined) o.subscriptionIdentifier = sub.subscriptionIdentifier;
  return o;
}

export class SessionState {
  /** topic → retained PUBLISH */
  readonly retained = new Map<string, PersistedPacket>();
  /** clientId → topic filter → options, for persistent sessions */
  readonly subscriptions = new Map<string, Map<string, SubscriptionOptions>>();
  /** clientId → will */
  readonly wills = new Map<string, PersistedPacket>();
  /** clientId → messageId → inbound QoS 2 PUBLISH awaiting PUBREL */
  readonly incoming = new Map<string, Map<unknown, PersistedPacket>>();
  readonly queues = new OutgoingQueues();
  incomingCount = 0;
  /** Next queue sequence number to hand out. */
  nextSeq = 1;

  apply(r: SessionRecord): void {
    switch (r.type) {
      case RecordType.Meta:
        this.nextSeq = Math.max(this.nextSeq, r.nextSeq);
        return;
      case RecordType.RetainPut:
        this.retained.set(String(r.packet.topic), r.packet);
        return;
      case RecordType.RetainDel:
        this.retained.delete(r.topic);
        return;
      case RecordType.SubAdd: {
        let subs = this.subscriptions.get(r.clientId);
        if (subs === undefined) {
          subs = new Map();
          this.subscriptions.set(r.clientId, subs);
        }
        for (const sub of r.subs) subs.set(sub.topic, subscriptionOptions(sub));
        return;
      }
      case RecordType.SubRemove: {
        const subs = this.subscriptions.get(r.clientId);
        if (subs === undefined) return;
        for (const topic of r.topics) subs.delete(topic);
        if (subs.size === 0) this.subscriptions.delete(r.clientId);
        return;
      }
      case RecordType.SubClean:
        this.subscriptions.delete(r.clientId);
        return;
      case RecordType.OutEnqueue:
        // One packet object for all the clients; the queues copy it for a client whose entry changes
        // (outgoingUpdate sets one client's messageId only).
        for (let i = 0; i < r.clientIds.length; i++) this.queues.add(r.seq + i, r.clientIds[i]!, r.packet, r.clientIds.length > 1);
        this.nextSeq = Math.max(this.nextSeq, r.seq + r.clientIds.length);
        return;
      case RecordType.OutMessageId: {
        const e = this.queues.get(r.seq);
        if (e !== undefined) this.queues.setMessageId(e, r.messageId);
        return;
      }
      case RecordType.OutReplace: {
        const e = this.queues.get(r.seq);
        if (e !== undefined) this.queues.replace(e, r.packet);
        return;
      }
      case RecordType.OutDelete: {
        const e = this.queues.get(r.seq);
        if (e !== undefined) this.queues.remove(e);
        return;
      }
      case RecordType.IncomingPut: {
        let byId = this.incoming.get(r.clientId);
        if (byId === undefined) {
          byId = new Map();
          this.incoming.set(r.clientId, byId);
        }
        if (!byId.has(r.packet.messageId)) this.incomingCount++;
        byId.set(r.packet.messageId, r.packet);
        return;
      }
      case RecordType.IncomingDel: {
        const byId = this.incoming.get(r.clientId);
        if (byId?.delete(r.messageId)) this.incomingCount--;
        if (byId?.size === 0) this.incoming.delete(r.clientId);
        return;
      }
      case RecordType.IncomingClean:
        this.incomingCount -= this.incoming.get(r.clientId)?.size ?? 0;
        this.incoming.delete(r.clientId);
        return;
      case RecordType.WillPut:
        this.wills.set(r.clientId, r.packet);
        return;
      case RecordType.WillDel:
        this.wills.delete(r.clientId);
        return;
    }
  }

  /** The whole state as records that rebuild it, for a compaction snapshot. */
  *records(): Generator<SessionRecord> {
    yield { type: RecordType.Meta, nextSeq: this.nextSeq };
    for (const packet of this.retained.values()) yield { type: RecordType.RetainPut, packet };
    for (const [clientId, subs] of this.subscriptions) {
      yield { type: RecordType.SubAdd, clientId, subs: [...subs].map(([topic, o]) => ({ topic, ...o })) };
    }
    for (const [clientId, packet] of this.wills) yield { type: RecordType.WillPut, clientId, packet };
    for (const [clientId, byId] of this.incoming) {
      for (const packet of byId.values()) yield { type: RecordType.IncomingPut, clientId, packet };
    }
    for (const e of this.queues.values()) yield { type: RecordType.OutEnqueue, seq: e.seq, clientIds: [e.clientId], packet: e.packet };
  }
}
