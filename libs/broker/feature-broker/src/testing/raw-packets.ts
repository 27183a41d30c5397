// Byte-exact MQTT 3.1.1 packets for tests, including the invalid ones a client library refuses to build.
export function field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return Buffer.from(out);
}

export function frame(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), varint(body.length), body]);
}

export interface RawConnect {
  protocolName?: string;
  level?: number;
  clientId?: string | Buffer;
  clean?: boolean;
  keepalive?: number;
  will?: { topic: string | Buffer; payload?: string; qos?: number; retain?: boolean };
  username?: string | Buffer;
  password?: string;
  /** Extra bits OR-ed into the connect flags (e.g. 0x01 reserved, 0x40 password without user). */
  extraFlags?: number;
}

export function connect(o: RawConnect = {}): Buffer {
  let flags = (o.clean ?? true) ? 0x02 : 0;
  const parts: Buffer[] = [field(o.clientId ?? 'raw-client')];
  if (o.will) {
    flags |= 0x04 | ((o.will.qos ?? 0) << 3) | (o.will.retain ? 0x20 : 0);
    parts.push(field(o.will.topic), field(o.will.payload ?? ''));
  }
  if (o.username !== undefined) {
    flags |= 0x80;
    parts.push(field(o.username));
  }
  if (o.password !== undefined) {
    flags |= 0x40;
    parts.push(field(o.password));
  }
  flags |= o.extraFlags ?? 0;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive ?? 60);
  const header = Buffer.concat([field(o.protocolName ?? 'MQTT'), Buffer.from([o.level ?? 4, flags]), keepalive]);
  return frame(0x10, Buffer.concat([header, ...parts]));
}

export function publish(topic: string | Buffer, payload: string | Buffer = '', qos = 0, messageId = 1, retain = false): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  const body = Buffer.concat([field(topic), qos > 0 ? id : Buffer.alloc(0), Buffer.from(payload)]);
  return frame(0x30 | (qos << 1) | (retain ? 1 : 0), body);
}

export function subscribe(messageId: number, subs: [filter: string | Buffer, qos: number][]): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return frame(0x82, Buffer.concat([id, ...subs.flatMap(([f, q]) => [field(f), Buffer.from([q])])]));
}

export function unsubscribe(messageId: number, filters: (string | Buffer)[]): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return frame(0xa2, Buffer.concat([id, ...filters.map((f) => field(f))]));
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);
