// Held QoS 1 PUBACKs (issue 17, see ledge-aedes.ts). aedes writes every packet with mqtt-packet's
// writeToStream(packet, stream); the broker wraps it once per process so that a PUBACK announced with
// holdPuback(stream, messageId) is kept instead of written, until releasePuback() says the message is
// durable (or dropPuback() that it is not: the connection is closing, the PUBACK must never go out).
// Per connection the PUBACKs leave in the order they were announced, which is the order of the PUBLISHes
// ([MQTT-4.6.0-2]). Streams with nothing announced (every client connection of MQTT.js in the same
// process among them) pass straight through. The same wrapper writes PUBLISH and PUBACK packets as one
// buffer each (packet-writer.ts).
import mqttPacket from 'mqtt-packet';
import type { Writable } from 'node:stream';
import { writePacketFast } from './packet-writer';

interface Held {
  readonly messageId: number;
  state: 'waiting' | 'ready' | 'dropped';
  /** The PUBACK aedes tried to write, once it did. */
  packet?: Parameters<typeof mqttPacket.writeToStream>[0];
}

type WriteToStream = typeof mqttPacket.writeToStream;

const queues = new WeakMap<object, Held[]>();
let original: WriteToStream | undefined;

/**
 * The hold a PUBACK aedes writes belongs to: the newest one, as aedes writes it right after
 * authorizePublish announced it, so the scan runs from the end (up to a window of holds per connection).
 * Two unwritten holds of one packet id would get identical PUBACKs, so which one takes it does not matter.
 */
function unwritten(queue: Held[] | undefined, messageId: number | undefined): Held | undefined {
  if (queue === undefined) return undefined;
  for (let i = queue.length - 1; i >= 0; i--) {
    const h = queue[i]!;
    if (h.state === 'waiting' && h.packet === undefined && h.messageId === messageId) return h;
  }
  return undefined;
}

/** Wraps mqtt-packet's writeToStream once per process (idempotent); returns the original. */
export function installPacketWriter(): WriteToStream {
  if (original) return original;
  const write = mqttPacket.writeToStream;
  original = write;
  const wrapped = ((packet, stream, opts) => {
    if (packet.cmd === 'puback') {
      const held = unwritten(queues.get(stream), packet.messageId);
      if (held) {
        held.packet = packet;
        return true; // aedes goes on as if written; flush() writes it
      }
    }
    return writePacketFast(packet, stream, opts) ?? write(packet, stream, opts);
  }) as WriteToStream;
  // cacheNumbers (set by LedgeAedes) is a property of mqtt-packet's function: keep it there.
  Object.defineProperty(wrapped, 'cacheNumbers', { get: () => write.cacheNumbers, set: (v: boolean) => void (write.cacheNumbers = v) });
  (mqttPacket as { writeToStream: WriteToStream }).writeToStream = wrapped;
  return write;
}

/** The next PUBACK for `messageId` on `stream` waits for releasePuback() or dropPuback(). */
export function holdPuback(stream: Writable, messageId: number): void {
  installPacketWriter();
  let queue = queues.get(stream);
  if (!queue) queues.set(stream, (queue = []));
  queue.push({ messageId, state: 'waiting' });
}

function settle(stream: Writable, messageId: number, state: 'ready' | 'dropped'): void {
  const queue = queues.get(stream);
  const held = queue?.find((h) => h.state === 'waiting' && h.messageId === messageId);
  if (!queue || !held) return;
  held.state = state;
  while (queue.length > 0 && queue[0]!.state !== 'waiting') {
    const h = queue.shift()!;
    if (h.state === 'ready' && h.packet && !stream.destroyed && stream.writable && writePacketFast(h.packet, stream) === undefined) original!(h.packet, stream);
  }
  if (queue.length === 0) queues.delete(stream);
}

/** The message is durable: its PUBACK goes out (after any earlier one still held). */
export function releasePuback(stream: Writable, messageId: number): void {
  settle(stream, messageId, 'ready');
}

/** The message is not durable and the connection closes: its PUBACK never goes out. */
export function dropPuback(stream: Writable, messageId: number): void {
  settle(stream, messageId, 'dropped');
}

/** PUBACKs held on `stream` (tests, diagnostics). */
export function heldPubacks(stream: Writable): number {
  return queues.get(stream)?.length ?? 0;
}
