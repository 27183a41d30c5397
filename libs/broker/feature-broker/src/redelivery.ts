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
  const sent = new Map<string, Set<string>>();
  const key = (p: TrackedPacket) => `${p.brokerId ?? ''}:${p.brokerCounter ?? 0}`;
  return {
    delivering(clientId, packet) {
      let keys = sent.get(clientId);
      if (keys === undefined) sent.set(clientId, (keys = new Set()));
      const k = key(packet);
      if (packet.messageId !== undefined && keys.has(k)) packet.dup = true;
      else keys.add(k);
    },
    acknowledged(clientId, packet) {
      if (packet === undefined) return;
      const keys = sent.get(clientId);
      keys?.delete(key(packet));
      if (keys?.size === 0) sent.delete(clientId);
    },
    forget: (clientId) => void sent.delete(clientId),
  };
}
