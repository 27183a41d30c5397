// The packet shapes the aedes persistence interface passes around, and the one copy rule it relies on.

/** An MQTT packet as aedes hands it to a persistence (the aedes-packet shape, plus MQTT 5 extras). */
export interface PersistedPacket {
  cmd?: string;
  topic?: string;
  payload?: Buffer | Uint8Array | string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  brokerId?: string;
  brokerCounter?: number;
  clientId?: string;
  [key: string]: unknown;
}

/** What the store needs of an aedes Client. */
export interface PersistenceClient {
  id: string;
}

/** What the store needs of the aedes broker: its id, stamped on wills. */
export interface PersistenceBroker {
  id: string;
}

/** A subscription as aedes stores it for a persistent session (SUBSCRIBE entry plus MQTT 5 options). */
export interface PersistenceSubscription {
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
  subscriptionIdentifier?: number;
}

const EMPTY = Buffer.alloc(0);
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * A copy with exactly the fields and defaults of aedes-packet 4.0.1's `new Packet(original)` without a
 * broker, which is what aedes-persistence stores for queued and incoming packets. Same own keys,
 * including `messageId: undefined` for QoS > 0, so results compare equal to the in-memory store's.
 */
export function copyPacket(original: PersistedPacket): PersistedPacket {
  const p: PersistedPacket = {};
  if (hasOwn(original, 'clientId')) p.clientId = original.clientId;
  if (hasOwn(original, 'nl')) p['nl'] = original['nl'];
  if (hasOwn(original, 'properties')) p['properties'] = original['properties'];
  if (hasOwn(original, 'messageExpiry')) p['messageExpiry'] = original['messageExpiry'];
  p.cmd = original.cmd || 'publish';
  p.brokerId = original.brokerId || undefined;
  p.brokerCounter = original.brokerCounter || 0;
  p.topic = original.topic;
  p.payload = original.payload || EMPTY;
  p.qos = original.qos || 0;
  p.retain = original.retain || false;
  p.dup = original.dup || false;
  if (p.qos > 0 || p.cmd !== 'publish') p.messageId = undefined; // [MQTT-2.3.1-5]
  return p;
}

/** Own enumerable data properties only: drops callbacks aedes hangs on packets (`writeCallback`). */
export function plainCopy(packet: PersistedPacket): PersistedPacket {
  const out: PersistedPacket = {};
  for (const k of Object.keys(packet)) {
    const v = packet[k];
    if (typeof v !== 'function') out[k] = v;
  }
  return out;
}

/** Bytes a queued packet counts against `maxQueuedBytes`: its payload plus its topic. */
export function packetBytes(packet: PersistedPacket): number {
  const { payload, topic } = packet;
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : (payload?.length ?? 0);
  return payloadBytes + (typeof topic === 'string' ? Buffer.byteLength(topic) : 0);
}

/** [MQTT-3.3.1-10]: a retained PUBLISH with an empty payload deletes the retained message. */
export function isEmptyPayload(packet: PersistedPacket): boolean {
  return packet.payload === undefined || packet.payload === null || packet.payload.length === 0;
}
