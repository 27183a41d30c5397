// Splits the byte stream of one connection into MQTT control packets (fixed header + remaining length),
// refuses a packet as soon as its header announces more than `maxPacketSize` bytes (before buffering it),
// and runs packet-rules on each complete packet. Bytes are handed on only in whole packets that passed, so
// aedes never sees a packet the rules refused. Pure and synchronous: the connection guard does the I/O.
import { inspectPacket, type Verdict } from './packet-rules';

export interface InspectResult {
  /** Whole packets that passed, to hand to aedes (may be empty). */
  forward: Buffer | undefined;
  /** Set when a packet was refused: nothing after `forward` may be handed on. */
  verdict?: Exclude<Verdict, { kind: 'ok' }>;
}

export interface FrameInspector {
  push(chunk: Buffer): InspectResult;
  /** Bytes held back waiting for the rest of a packet. */
  readonly buffered: number;
}

interface Header {
  type: number;
  flags: number;
  headerLength: number;
  total: number;
}

type HeaderRead = Header | 'incomplete' | Exclude<Verdict, { kind: 'ok' }>;

function readHeader(data: Buffer, at: number, maxPacketSize: number, first: boolean): HeaderRead {
  if (data.length - at < 1) return 'incomplete';
  const byte0 = data[at]!;
  // refuse a first packet that is not CONNECT at once, instead of waiting for its announced length
  if (first && byte0 >> 4 !== 1) return { kind: 'close', reason: 'protocol', rule: 'MQTT-3.1.0-1', detail: 'first packet is not CONNECT' };
  let remaining = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (at + i >= data.length) return 'incomplete';
    const b = data[at + i]!;
    remaining += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) {
      const total = 1 + i + remaining;
      if (total > maxPacketSize) {
        return { kind: 'close', reason: 'oversize', rule: 'maxPacketSize', detail: `packet of ${total} bytes exceeds maxPacketSize ${maxPacketSize}` };
      }
      return { type: byte0 >> 4, flags: byte0 & 0x0f, headerLength: 1 + i, total };
    }
    multiplier *= 128;
  }
  return { kind: 'close', reason: 'malformed', rule: 'MQTT-2.2.3', detail: 'remaining length longer than 4 bytes' };
}

export function createFrameInspector(options: { maxPacketSize: number }): FrameInspector {
  const { maxPacketSize } = options;
  let carry: Buffer[] = [];
  let carried = 0;
  /** Total length of the packet at the start of `carry`, once its header is known. */
  let need: number | undefined;
  let first = true;
  let dead = false;

  return {
    get buffered() {
      return carried;
    },
    push(chunk) {
      if (dead || chunk.length === 0) return { forward: undefined };
      carry.push(chunk);
      carried += chunk.length;
      if (need !== undefined && carried < need) return { forward: undefined };
      // One copy per completed packet at most: chunks of a large packet are only joined once it is whole.
      const data = carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried);
      carry = [];
      carried = 0;
      need = undefined;
      let at = 0;
      for (;;) {
        const h = readHeader(data, at, maxPacketSize, first);
        if (h === 'incomplete') break;
        if ('kind' in h) {
          dead = true;
          return { forward: at > 0 ? data.subarray(0, at) : undefined, verdict: h };
        }
        if (data.length - at < h.total) {
          need = h.total;
          break;
        }
        const verdict = inspectPacket(h.type, h.flags, data.subarray(at + h.headerLength, at + h.total), first);
        if (verdict.kind !== 'ok') {
          dead = true;
          return { forward: at > 0 ? data.subarray(0, at) : undefined, verdict };
        }
        first = false;
        at += h.total;
      }
      if (at < data.length) {
        carry = [data.subarray(at)];
        carried = data.length - at;
      }
      return { forward: at > 0 ? data.subarray(0, at) : undefined };
    },
  };
}
