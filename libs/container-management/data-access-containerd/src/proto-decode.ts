// Minimal protobuf decoding for the event payloads carried in Any envelopes (TaskExit, TaskOOM):
// avoids shipping a full protobuf runtime for two tiny messages (field numbers from api/events/task.proto).

type Field = number | Buffer;

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 1;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * shift;
    if (b < 0x80) return [result, pos];
    shift *= 128;
  }
}

export function decodeFields(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = varint(buf, pos);
    pos = p1;
    const no = Math.floor(key / 8);
    const wire = key & 7;
    let value: Field;
    if (wire === 0) [value, pos] = varint(buf, pos);
    else if (wire === 2) {
      const [len, p2] = varint(buf, pos);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(no) ?? [];
    list.push(value);
    out.set(no, list);
  }
  return out;
}

const str = (f: Map<number, Field[]>, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : '';
};
const num = (f: Map<number, Field[]>, n: number) => {
  const v = f.get(n)?.[0];
  return typeof v === 'number' ? v : 0;
};

export interface TaskExitEvent {
  containerId: string;
  id: string;
  pid: number;
  exitStatus: number;
  exitedAt: Date;
}

export function decodeTaskExit(buf: Buffer): TaskExitEvent {
  const f = decodeFields(buf);
  const ts = f.get(5)?.[0];
  let exitedAt = new Date();
  if (Buffer.isBuffer(ts)) {
    const t = decodeFields(ts);
    exitedAt = new Date(num(t, 1) * 1000 + Math.floor(num(t, 2) / 1e6));
  }
  return { containerId: str(f, 1), id: str(f, 2), pid: num(f, 3), exitStatus: num(f, 4), exitedAt };
}

export function decodeTaskOOM(buf: Buffer): { containerId: string } {
  return { containerId: str(decodeFields(buf), 1) };
}
