// PUBLISH and PUBACK read straight from the buffer aedes hands its mqtt-packet parser. That parser keeps
// its input in a BufferList and walks four states per packet through string-named methods, slicing the
// list's head buffer on every consume (a new Buffer view per step); in a profile of the durable QoS 1
// bench it was ~6 % of the broker's time for the 5 packets it reads per published message (a PUBLISH,
// 4 subscribers' PUBACKs). The connection guard hands aedes whole packets only, and has already checked
// every PUBLISH (packet-rules.ts: QoS, topic, packet id); this reader builds the same packet objects
// (mqtt-packet's Packet, same fields in the same order, the payload a view of the input as mqtt-packet
// makes it) and emits them the same way, in order. Anything else, MQTT 5, a parser holding a partial
// packet, or a packet it does not recognise goes to mqtt-packet's own parse().

/** The part of mqtt-packet's Parser this reader uses (mqtt-packet 9). */
export interface MqttPacketParser {
  parse(buf: Buffer): number;
  /** The CONNECT packet once one was parsed (its protocolVersion), before that {}. */
  settings: { protocolVersion?: number };
  /** The Packet being parsed (a fresh one between packets). */
  packet: object;
  _list: { length: number };
  _stateCounter: number;
  error: Error | null;
  emit(event: 'packet', packet: object): boolean;
}

interface ParsedPacket {
  cmd: string | null;
  retain: boolean;
  qos: number;
  dup: boolean;
  length: number;
  topic: string | null;
  payload: Buffer | null;
  messageId?: number;
}

/** Makes `parser.parse` read PUBLISH and PUBACK itself (MQTT 3.1/3.1.1 connections). */
export function installPacketReader(parser: MqttPacketParser): void {
  const original = parser.parse.bind(parser);
  const Packet = parser.packet.constructor as new () => ParsedPacket;
  const idle = () => parser._list.length === 0 && parser._stateCounter === 0 && parser.error === null;
  parser.parse = (buf: Buffer): number => {
    const version = parser.settings.protocolVersion;
    if ((version !== 4 && version !== 3) || !idle()) return original(buf);
    let at = 0;
    while (at < buf.length) {
      const b0 = buf[at]!;
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      for (let k = 0; k < 4 && i < buf.length; k++) {
        const b = buf[i++]!;
        length += (b & 0x7f) * multiplier;
        if (b < 0x80) {
          complete = true;
          break;
        }
        multiplier *= 128;
      }
      const end = i + length;
      if (!complete || end > buf.length) return original(at === 0 ? buf : buf.subarray(at));
      const packet = b0 >> 4 === 3 ? readPublish(Packet, b0, buf, i, end, length) : b0 === 0x40 && length === 2 ? readPuback(Packet, buf, i) : undefined;
      if (packet !== undefined) parser.emit('packet', packet);
      else {
        original(buf.subarray(at, end));
        if (!idle()) return end < buf.length ? original(buf.subarray(end)) : parser._list.length;
      }
      at = end;
    }
    return 0;
  };
}

function readPublish(Packet: new () => ParsedPacket, b0: number, buf: Buffer, start: number, end: number, length: number): ParsedPacket | undefined {
  const qos = (b0 >> 1) & 0x03;
  if (qos === 3 || end - start < 2) return undefined;
  const topicLength = (buf[start]! << 8) | buf[start + 1]!;
  let pos = start + 2;
  if (pos + topicLength > end || (qos > 0 && pos + topicLength + 2 > end)) return undefined;
  const p = new Packet();
  p.cmd = 'publish';
  p.retain = (b0 & 0x01) !== 0;
  p.qos = qos;
  p.dup = (b0 & 0x08) !== 0;
  p.length = length;
  p.topic = buf.toString('utf8', pos, pos + topicLength);
  pos += topicLength;
  if (qos > 0) {
    p.messageId = (buf[pos]! << 8) | buf[pos + 1]!;
    pos += 2;
  }
  p.payload = buf.subarray(pos, end);
  return p;
}

function readPuback(Packet: new () => ParsedPacket, buf: Buffer, start: number): ParsedPacket {
  const p = new Packet();
  p.cmd = 'puback';
  p.length = 2;
  p.messageId = (buf[start]! << 8) | buf[start + 1]!;
  return p;
}
