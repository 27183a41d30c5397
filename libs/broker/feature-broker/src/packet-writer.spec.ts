// The one-buffer PUBLISH/PUBACK writer puts the same bytes on the wire as mqtt-packet, and leaves
// everything it does not handle to mqtt-packet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { writePacketFast, type WritablePacket } from './packet-writer';

/** The bytes mqtt-packet's writeToStream writes for `packet` (MQTT 3.1.1). */
function reference(packet: WritablePacket): Buffer {
  const chunks: Buffer[] = [];
  const stream = { write: (c: Buffer | string) => (chunks.push(Buffer.from(c)), true), destroy: (err: Error) => assert.fail(err) };
  mqttPacket.writeToStream(packet as mqttPacket.Packet, stream as never);
  return Buffer.concat(chunks);
}

function fast(packet: WritablePacket, opts?: { protocolVersion?: number }): { bytes?: Buffer; writes: number; result?: boolean } {
  const chunks: Buffer[] = [];
  const result = writePacketFast(packet, { write: (c) => (chunks.push(c), false) }, opts);
  return { bytes: chunks.length ? Buffer.concat(chunks) : undefined, writes: chunks.length, result };
}

const big = (n: number) => Buffer.alloc(n, 0x5a);

describe('writePacketFast', () => {
  const cases: [string, WritablePacket][] = [
    ['QoS 0, buffer payload', { cmd: 'publish', topic: 'a/b', payload: Buffer.from('hello'), qos: 0 }],
    ['QoS 1', { cmd: 'publish', topic: 'bench/x/0', payload: big(64), qos: 1, messageId: 4711 }],
    ['QoS 2, dup and retain', { cmd: 'publish', topic: 't', payload: big(3), qos: 2, dup: true, retain: true, messageId: 65535 }],
    ['packet id 0 and 1', { cmd: 'publish', topic: 't', payload: big(1), qos: 1, messageId: 0 }],
    ['empty payload', { cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 1, messageId: 1 }],
    ['no payload', { cmd: 'publish', topic: 't', qos: 0 }],
    ['string payload with UTF-8', { cmd: 'publish', topic: 't', payload: 'grüße ☃', qos: 1, messageId: 9 }],
    ['UTF-8 topic', { cmd: 'publish', topic: 'häuser/€/☃', payload: big(2), qos: 0 }],
    ['empty topic', { cmd: 'publish', topic: '', payload: big(2), qos: 0 }],
    ['2-byte remaining length (127/128 edge)', { cmd: 'publish', topic: 't', payload: big(128 - 5), qos: 1, messageId: 2 }],
    ['2-byte remaining length', { cmd: 'publish', topic: 't', payload: big(1024), qos: 1, messageId: 3 }],
    ['3-byte remaining length', { cmd: 'publish', topic: 't', payload: big(16_384), qos: 1, messageId: 4 }],
    ['4-byte remaining length', { cmd: 'publish', topic: 't', payload: big(2_097_152), qos: 0 }],
    ['extra fields ignored (aedes packet)', { cmd: 'publish', topic: 't', payload: big(5), qos: 1, messageId: 7, brokerId: 'b', brokerCounter: 3, retain: false } as WritablePacket],
    ['PUBACK', { cmd: 'puback', messageId: 258 }],
    ['PUBACK id 65535', { cmd: 'puback', messageId: 65535 }],
  ];
  for (const [name, packet] of cases) {
    it(`writes ${name} as one buffer, byte for byte as mqtt-packet`, () => {
      const out = fast(packet);
      assert.equal(out.writes, 1);
      assert.equal(out.result, false, 'returns what stream.write returned');
      assert.deepEqual(out.bytes, reference(packet));
    });
  }

  const declined: [string, WritablePacket, { protocolVersion?: number }?][] = [
    ['MQTT 5', { cmd: 'publish', topic: 't', payload: big(1), qos: 0 }, { protocolVersion: 5 }],
    ['MQTT 5 PUBACK', { cmd: 'puback', messageId: 1 }, { protocolVersion: 5 }],
    ['other packet types', { cmd: 'pubrec', messageId: 1 }],
    ['a Buffer topic', { cmd: 'publish', topic: Buffer.from('t'), payload: big(1), qos: 0 }],
    ['a topic over 65,535 bytes', { cmd: 'publish', topic: 'x'.repeat(65_536), payload: big(1), qos: 0 }],
    ['QoS 1 without a packet id', { cmd: 'publish', topic: 't', payload: big(1), qos: 1 }],
    ['a packet id out of range', { cmd: 'publish', topic: 't', payload: big(1), qos: 1, messageId: 65_536 }],
    ['QoS 3', { cmd: 'publish', topic: 't', payload: big(1), qos: 3, messageId: 1 }],
    ['a payload that is neither Buffer nor string', { cmd: 'publish', topic: 't', payload: 42, qos: 0 }],
    ['PUBACK without id', { cmd: 'puback' }],
  ];
  for (const [name, packet, opts] of declined) {
    it(`leaves ${name} to mqtt-packet`, () => {
      const out = fast(packet, opts);
      assert.equal(out.writes, 0);
      assert.equal(out.result, undefined);
    });
  }
});
