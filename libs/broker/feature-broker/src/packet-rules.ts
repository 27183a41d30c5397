// MQTT 3.1.1 rules that aedes 1.2 does not enforce (or enforces only partly), checked on the raw bytes of
// one complete control packet before aedes parses it. Pure: a frame in, a verdict out. The connection guard
// acts on the verdict (CONNACK then close, or close). Rules aedes already gets right are repeated here only
// where one check is cheaper than two code paths (e.g. QoS 3), so every refusal is logged the same way.
import { isUtf8 } from 'node:buffer';
import { topicFilterProblem } from '@ledge/shared/model-mqtt';

/** Why the broker closes a connection; mirrors Mosquitto's disconnect reasons for the $SYS log. */
export type CloseReason = 'protocol' | 'malformed' | 'oversize';

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'close'; reason: CloseReason; rule: string; detail: string }
  /** Send CONNACK with this return code, then close. */
  | { kind: 'connack'; returnCode: 1 | 2; rule: string; detail: string };

const OK: Verdict = Object.freeze({ kind: 'ok' });

const close = (reason: CloseReason, rule: string, detail: string): Verdict => ({ kind: 'close', reason, rule, detail });

/** Sequential reader over a packet body; every read returns undefined past the end. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  byte(): number | undefined {
    return this.pos < this.buf.length ? this.buf[this.pos++] : undefined;
  }
  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  /** A length-prefixed field (string or binary) as raw bytes. */
  field(): Buffer | undefined {
    const len = this.u16();
    if (len === undefined || this.remaining < len) return undefined;
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

/** [MQTT-1.5.3-1] well-formed UTF-8 (no surrogates), [MQTT-1.5.3-2] no U+0000. */
function stringProblem(bytes: Buffer): string | undefined {
  if (!isUtf8(bytes)) return 'invalid UTF-8';
  if (bytes.includes(0)) return 'contains U+0000';
  return undefined;
}

/** Topic name bytes for PUBLISH and the will: non-empty, UTF-8, no U+0000, no wildcards. */
export function topicNameBytesProblem(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return 'empty topic name';
  const s = stringProblem(bytes);
  if (s) return s;
  if (bytes.includes(0x2b) || bytes.includes(0x23)) return 'wildcard in topic name';
  return undefined;
}

function filterBytesProblem(bytes: Buffer): string | undefined {
  return stringProblem(bytes) ?? topicFilterProblem(bytes.toString('utf8'));
}

export function inspectConnect(body: Buffer): Verdict {
  const r = new Reader(body);
  const name = r.field();
  const level = r.byte();
  if (name === undefined || level === undefined) return close('malformed', 'MQTT-3.1.2-1', 'truncated CONNECT');
  const protocol = name.toString('latin1');
  if (protocol !== 'MQTT' && protocol !== 'MQIsdp') return close('protocol', 'MQTT-3.1.2-1', `unknown protocol name ${JSON.stringify(protocol)}`);
  const lvl = level & 0x7f; // bit 7: Mosquitto bridge marker
  if (!((protocol === 'MQTT' && lvl === 4) || (protocol === 'MQIsdp' && lvl === 3))) {
    return { kind: 'connack', returnCode: 1, rule: 'MQTT-3.1.2-2', detail: `unsupported protocol level ${level} (${protocol})` };
  }
  const flags = r.byte();
  const keepalive = r.u16();
  if (flags === undefined || keepalive === undefined) return close('malformed', 'MQTT-3.1.2-1', 'truncated CONNECT');
  if (flags & 0x01) return close('protocol', 'MQTT-3.1.2-3', 'reserved CONNECT flag set');
  const clientId = r.field();
  if (clientId === undefined) return close('malformed', 'MQTT-3.1.3-3', 'truncated client identifier');
  const idProblem = stringProblem(clientId);
  if (idProblem) return close('malformed', 'MQTT-1.5.3-1', `client identifier: ${idProblem}`);
  const will = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 0x03;
  const willRetain = (flags & 0x20) !== 0;
  if (!will && (willQos !== 0 || willRetain)) return close('protocol', 'MQTT-3.1.2-13', 'will QoS or retain set without will flag');
  if (will) {
    if (willQos === 3) return close('protocol', 'MQTT-3.1.2-14', 'will QoS 3');
    const topic = r.field();
    if (topic === undefined || r.field() === undefined) return close('malformed', 'MQTT-3.1.3-10', 'truncated will');
    const problem = topicNameBytesProblem(topic);
    if (problem) return close('protocol', 'MQTT-3.1.3-10', `will topic: ${problem}`);
  }
  const hasUser = (flags & 0x80) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  if (hasPassword && !hasUser) return close('protocol', 'MQTT-3.1.2-22', 'password without user name');
  if (hasUser) {
    const user = r.field();
    if (user === undefined) return close('malformed', 'MQTT-3.1.3-11', 'truncated user name');
    const problem = stringProblem(user);
    if (problem) return close('malformed', 'MQTT-3.1.3-11', `user name: ${problem}`);
  }
  if (hasPassword && r.field() === undefined) return close('malformed', 'MQTT-3.1.3-11', 'truncated password');
  if (clientId.length === 0) {
    // [MQTT-3.1.3-8] a zero-byte client id needs CleanSession=1; MQTT 3.1 demands 1..23 characters
    if (lvl === 3) return { kind: 'connack', returnCode: 2, rule: 'MQTT-3.1.3-8', detail: 'empty client identifier (MQTT 3.1)' };
    if ((flags & 0x02) === 0) return { kind: 'connack', returnCode: 2, rule: 'MQTT-3.1.3-8', detail: 'empty client identifier with CleanSession=0' };
  }
  return OK;
}

export function inspectPublish(flags: number, body: Buffer): Verdict {
  const qos = (flags >> 1) & 0x03;
  if (qos === 3) return close('malformed', 'MQTT-3.3.1-4', 'PUBLISH with QoS 3');
  const r = new Reader(body);
  const topic = r.field();
  if (topic === undefined) return close('malformed', 'MQTT-3.3.2-1', 'truncated topic name');
  const problem = topicNameBytesProblem(topic);
  if (problem) return close(problem === 'wildcard in topic name' || problem === 'empty topic name' ? 'protocol' : 'malformed', 'MQTT-3.3.2-2', problem);
  if (qos > 0) {
    const id = r.u16();
    if (id === undefined) return close('malformed', 'MQTT-3.3.2-1', 'truncated packet identifier');
    if (id === 0) return close('protocol', 'MQTT-2.3.1-1', 'packet identifier 0');
  }
  return OK;
}

/** SUBSCRIBE (withQos) or UNSUBSCRIBE: packet id, then at least one valid filter. */
export function inspectFilters(flags: number, body: Buffer, withQos: boolean): Verdict {
  const what = withQos ? 'SUBSCRIBE' : 'UNSUBSCRIBE';
  if (flags !== 0x02) return close('malformed', withQos ? 'MQTT-3.8.1-1' : 'MQTT-3.10.1-1', `${what} header flags must be 0010`);
  const r = new Reader(body);
  const id = r.u16();
  if (id === undefined) return close('malformed', 'MQTT-2.3.1-1', 'truncated packet identifier');
  if (id === 0) return close('protocol', 'MQTT-2.3.1-1', 'packet identifier 0');
  let count = 0;
  while (r.remaining > 0) {
    const filter = r.field();
    if (filter === undefined) return close('malformed', 'MQTT-3.8.3-1', `truncated ${what} topic filter`);
    const problem = filterBytesProblem(filter);
    if (problem) return close('protocol', 'MQTT-4.7.1-1', `${what} topic filter: ${problem}`);
    if (withQos) {
      const options = r.byte();
      if (options === undefined) return close('malformed', 'MQTT-3.8.3-1', 'truncated requested QoS');
      if ((options & 0xfc) !== 0 || (options & 0x03) === 3) return close('malformed', 'MQTT-3.8.3-4', `requested QoS byte ${options}`);
    }
    count++;
  }
  if (count === 0) return close('protocol', withQos ? 'MQTT-3.8.3-3' : 'MQTT-3.10.3-2', `${what} without topic filters`);
  return OK;
}

/**
 * Verdict for one complete packet. `first` is true for the first packet of the connection, which must
 * be CONNECT [MQTT-3.1.0-1]; a second CONNECT is a protocol violation [MQTT-3.1.0-2].
 */
export function inspectPacket(type: number, flags: number, body: Buffer, first: boolean): Verdict {
  if (first !== (type === 1)) {
    return close('protocol', first ? 'MQTT-3.1.0-1' : 'MQTT-3.1.0-2', first ? 'first packet is not CONNECT' : 'second CONNECT');
  }
  switch (type) {
    case 1:
      return inspectConnect(body);
    case 3:
      return inspectPublish(flags, body);
    case 8:
      return inspectFilters(flags, body, true);
    case 10:
      return inspectFilters(flags, body, false);
    case 0:
    case 15:
      return close('protocol', 'MQTT-2.2.1', `reserved packet type ${type}`);
    case 2:
    case 9:
    case 11:
    case 13:
      return close('protocol', 'MQTT-2.2.1', `server-to-client packet type ${type} sent by a client`);
    default:
      return OK; // PUBACK, PUBREC, PUBREL, PUBCOMP, PINGREQ, DISCONNECT: mqtt-packet checks them
  }
}
