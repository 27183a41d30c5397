// One buffer per PUBLISH and PUBACK instead of mqtt-packet's pieces. mqtt-packet 9 writes a PUBLISH as
// five or six stream.write calls (fixed header, remaining length, topic length, topic, packet id, payload;
// the numbers as fresh 2-byte Buffers, since the broker turns its number cache off) and a PUBACK as three,
// each one a queued chunk of the socket's Writable and an element of its writev. These two are every
// packet of the QoS 1 hot path: 4 deliveries and a PUBACK per published message in bench/broker's durable
// scenarios. The bytes are the same as mqtt-packet's (packet-writer.spec.ts compares them); anything else
// (MQTT 5, other packet types, values mqtt-packet refuses or handles its own way) is left to mqtt-packet.

/** What the fast path reads of a packet (mqtt-packet's shape). */
export interface WritablePacket {
  cmd: string;
  topic?: unknown;
  payload?: unknown;
  qos?: unknown;
  dup?: unknown;
  retain?: unknown;
  messageId?: unknown;
}

interface PacketStream {
  write(chunk: Buffer): boolean;
}

/** [MQTT-2.2.3] the largest Remaining Length. */
const VARBYTEINT_MAX = 268_435_455;
const EMPTY = Buffer.alloc(0);

const isPacketId = (id: unknown): id is number => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff;

/**
 * Writes `packet` to `stream` as one buffer when it is an MQTT 3.1.1 PUBLISH or PUBACK mqtt-packet would
 * write without complaint; returns the stream's write() result, or undefined when it wrote nothing (the
 * caller then hands the packet to mqtt-packet).
 */
export function writePacketFast(packet: WritablePacket, stream: PacketStream, opts?: { protocolVersion?: number }): boolean | undefined {
  if (opts?.protocolVersion === 5) return undefined;
  if (packet.cmd === 'puback') {
    const id = packet.messageId;
    if (!isPacketId(id)) return undefined;
    const b = Buffer.allocUnsafe(4);
    b[0] = 0x40;
    b[1] = 2;
    b[2] = id >> 8;
    b[3] = id & 0xff;
    return stream.write(b);
  }
  if (packet.cmd !== 'publish') return undefined;
  const { topic, messageId } = packet;
  const qos = packet.qos || 0;
  const payload = packet.payload || EMPTY;
  if (typeof topic !== 'string' || (qos !== 0 && qos !== 1 && qos !== 2)) return undefined;
  if (qos > 0 && !isPacketId(messageId)) return undefined;
  const isBuffer = Buffer.isBuffer(payload);
  if (!isBuffer && typeof payload !== 'string') return undefined;
  const topicBytes = Buffer.byteLength(topic);
  if (topicBytes > 0xffff) return undefined; // mqtt-packet throws on it: keep its error
  const payloadBytes = isBuffer ? payload.length : Buffer.byteLength(payload as string);
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
  if (remaining > VARBYTEINT_MAX) return undefined;
  const lengthBytes = remaining < 0x80 ? 1 : remaining < 0x4000 ? 2 : remaining < 0x200000 ? 3 : 4;
  const b = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  b[0] = 0x30 | (packet.dup ? 0x08 : 0) | (qos << 1) | (packet.retain ? 0x01 : 0);
  let at = 1;
  let n = remaining;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    b[at++] = digit;
  } while (n > 0);
  b[at++] = topicBytes >> 8;
  b[at++] = topicBytes & 0xff;
  at += b.write(topic, at, 'utf8');
  if (qos > 0) {
    b[at++] = (messageId as number) >> 8;
    b[at++] = (messageId as number) & 0xff;
  }
  if (isBuffer) b.set(payload, at);
  else if (payloadBytes > 0) b.write(payload as string, at, 'utf8');
  return stream.write(b);
}
