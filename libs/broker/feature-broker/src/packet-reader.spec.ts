// The PUBLISH/PUBACK reader emits what mqtt-packet's parser emits, packet for packet and in order, and
// leaves everything else to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { installPacketReader, type MqttPacketParser } from './packet-reader';

const bytes = (p: Packet, protocolVersion = 4) => mqttPacket.generate(p, { protocolVersion });
const connect = (protocolVersion: 4 | 5 = 4) => bytes({ cmd: 'connect', protocolId: 'MQTT', protocolVersion, clientId: 'c', clean: true, keepalive: 60 } as Packet, protocolVersion);

/** Feeds each buffer to a parser and returns what it emitted (and its errors). */
function run(chunks: Buffer[], fast: boolean): { packets: object[]; errors: string[] } {
  const parser = mqttPacket.parser() as unknown as MqttPacketParser & NodeJS.EventEmitter;
  if (fast) installPacketReader(parser);
  const packets: object[] = [];
  const errors: string[] = [];
  parser.on('packet', (p: object) => packets.push(p));
  parser.on('error', (e: Error) => errors.push(e.message));
  for (const c of chunks) parser.parse(c);
  return { packets, errors };
}

function same(chunks: Buffer[]): { packets: object[] } {
  const want = run(chunks, false);
  const got = run(chunks, true);
  assert.deepEqual(got, want);
  got.packets.forEach((p, i) => {
    assert.deepEqual(Object.keys(p), Object.keys(want.packets[i]!), 'same fields in the same order');
    assert.equal(p.constructor, want.packets[i]!.constructor, "mqtt-packet's Packet");
  });
  return got;
}

const publish = (qos: 0 | 1 | 2, payload: Buffer | string, extra: Partial<Packet> = {}) =>
  bytes({ cmd: 'publish', topic: 'bench/x/0', payload, qos, retain: false, dup: false, ...(qos > 0 ? { messageId: 7 } : {}), ...extra } as Packet);

describe('installPacketReader', () => {
  it('reads PUBLISH (QoS 0/1/2, flags, empty and UTF-8 payloads, UTF-8 topics) and PUBACK as mqtt-packet does', () => {
    const stream = Buffer.concat([
      connect(),
      publish(0, Buffer.from('hello')),
      publish(1, Buffer.alloc(64, 1)),
      publish(2, Buffer.alloc(1024, 2), { dup: true, retain: true, messageId: 65535 }),
      publish(1, Buffer.alloc(0)),
      publish(1, 'grüße', { topic: 'häuser/☃' }),
      publish(1, Buffer.alloc(20_000, 3)),
      bytes({ cmd: 'puback', messageId: 1 }),
      bytes({ cmd: 'puback', messageId: 65535 }),
    ]);
    const { packets } = same([stream]);
    assert.equal(packets.length, 9);
  });

  it('hands other packets to mqtt-packet, in order with the ones it reads', () => {
    const { packets } = same([
      Buffer.concat([
        connect(),
        publish(1, Buffer.alloc(8)),
        bytes({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 1 }] } as Packet),
        bytes({ cmd: 'pubrel', messageId: 4 }),
        bytes({ cmd: 'pingreq' }),
        bytes({ cmd: 'puback', messageId: 5 }),
        bytes({ cmd: 'pubrec', messageId: 6 }),
        bytes({ cmd: 'disconnect' }),
      ]),
    ]);
    assert.deepEqual(
      packets.map((p) => (p as Packet).cmd),
      ['connect', 'publish', 'subscribe', 'pubrel', 'pingreq', 'puback', 'pubrec', 'disconnect'],
    );
  });

  it('leaves a packet split over two reads to mqtt-packet, then reads on', () => {
    const a = publish(1, Buffer.alloc(300, 9));
    const b = publish(1, Buffer.alloc(10, 8), { messageId: 8 });
    for (const cut of [1, 2, 5, 100]) same([Buffer.concat([connect(), b, a.subarray(0, cut)]), Buffer.concat([a.subarray(cut), b, bytes({ cmd: 'puback', messageId: 2 })])]);
  });

  it('keeps mqtt-packet for an MQTT 5 connection and before CONNECT', () => {
    same([Buffer.concat([connect(5), bytes({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 1, messageId: 2, properties: { contentType: 'a' } } as Packet, 5)])]);
    same([publish(1, Buffer.from('x'))]);
  });

  it('stops where mqtt-packet stops on a malformed packet', () => {
    same([Buffer.concat([connect(), publish(1, Buffer.from('x')), Buffer.from([0x41, 0x02, 0x00, 0x01]), publish(1, Buffer.from('y'))])]);
  });
});
