// [MQTT-3.3.1-1] DUP must be 1 when the broker re-sends a PUBLISH. aedes 1.2 re-sends the unacknowledged
// messages of a resumed session from its queue without setting DUP. The queue path is the only one where
// authorizeForward sees a packet that already has a packet id; this tracker remembers which messages were
// handed to a persistent session and not yet acknowledged, so only true re-sends get DUP=1 (in memory:
// after a broker restart, re-sends go out with DUP=0).
export interface RedeliveryTracker {
  /** Called for each QoS > 0 delivery to a persistent session; sets packet.dup on a re-send. */
  delivering(clientId: string, packet: TrackedPacket): void;
  acknowledged(clientId: string, packet: TrackedPacket | undefined): void;
  /** A clean session starts: nothing of the old one will be re-sent. */
  forget(clientId: string): void;
}

export interface TrackedPacket {
  brokerId?: string;
  brokerCounter?: number;
  messageId?: number;
  dup?: boolean;
}

export function createRedeliveryTracker(): RedeliveryTracker {
  // clientId → brokerId → brokerCounters: no key string is built per delivery and acknowledgement (the
  // brokerId is one string per broker, its hash computed once)
  const sent = new Map<string, Map<string, Set<number>>>();
  return {
    delivering(clientId, packet) {
      let byBroker = sent.get(clientId);
      if (byBroker === undefined) sent.set(clientId, (byBroker = new Map()));
      const brokerId = packet.brokerId ?? '';
      let counters = byBroker.get(brokerId);
      if (counters === undefined) byBroker.set(brokerId, (counters = new Set()));
      const counter = packet.brokerCounter ?? 0;
      if (packet.messageId !== undefined && counters.has(counter)) packet.dup = true;
      else counters.add(counter);
    },
    acknowledged(clientId, packet) {
      if (packet === undefined) return;
      const byBroker = sent.get(clientId);
      if (byBroker === undefined) return;
      const brokerId = packet.brokerId ?? '';
      const counters = byBroker.get(brokerId);
      if (counters === undefined) return;
      counters.delete(packet.brokerCounter ?? 0);
      if (counters.size > 0) return;
      byBroker.delete(brokerId);
      if (byBroker.size === 0) sent.delete(clientId);
    },
    forget: (clientId) => void sent.delete(clientId),
  };
}
