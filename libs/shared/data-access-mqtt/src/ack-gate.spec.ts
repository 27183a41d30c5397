// `handleIncoming` (the connector's ack-after-persist): MQTT.js hands every QoS 1 message over at once,
// and its PUBACK leaves only when the returned promise resolves, in receive order [MQTT-4.6.0-2]; a
// rejection drops the connection without that PUBACK. Observed on the wire with a minimal MQTT 3.1.1
// server written here (raw packets), so the test sees exactly which PUBACKs the real MQTT.js sends.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import { createLocalBusClient } from './local-bus-client';
import type { BusPacket } from './types';

interface FakeBroker {
  port: number;
  pubacks: number[];
  sockets: Socket[];
  closed: number;
  publish(messageId: number, topic: string, payload: string): void;
  close(): Promise<void>;
}

async function startFakeBroker(): Promise<FakeBroker> {
  const pubacks: number[] = [];
  const sockets: Socket[] = [];
  const state = { closed: 0 };
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('close', () => state.closed++);
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        // Fixed header: type/flags, remaining length (variable byte integer).
        let len = 0;
        let mul = 1;
        let i = 1;
        for (; i < buf.length && i <= 4; i++) {
          len += (buf[i]! & 0x7f) * mul;
          mul *= 128;
          if ((buf[i]! & 0x80) === 0) break;
        }
        if (i >= buf.length || buf.length < i + 1 + len) return;
        const buf0 = buf[0]!;
        const type = buf0 >> 4;
        const body = buf.subarray(i + 1, i + 1 + len);
        buf = buf.subarray(i + 1 + len);
        if (type === 1) socket.write(Buffer.from([0x20, 2, 0, 0])); // CONNECT → CONNACK accepted
        else if (type === 8) socket.write(Buffer.from([0x90, 3, body[0]!, body[1]!, 1])); // SUBSCRIBE → SUBACK
        else if (type === 4) pubacks.push(body.readUInt16BE(0)); // PUBACK
        else if (type === 12) socket.write(Buffer.from([0xd0, 0])); // PINGREQ → PINGRESP
        else if (type === 3 && (buf0 & 0x06) === 0x02) {
          // PUBLISH QoS 1 from the client (roundTrip's probe) → PUBACK with its message id
          const at = 2 + body.readUInt16BE(0);
          socket.write(Buffer.from([0x40, 2, body[at]!, body[at + 1]!]));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    pubacks,
    sockets,
    get closed() {
      return state.closed;
    },
    publish(messageId, topic, payload) {
      const t = Buffer.from(topic);
      const p = Buffer.from(payload);
      const rest = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, Buffer.from([messageId >> 8, messageId & 0xff]), p]);
      sockets.at(-1)!.write(Buffer.concat([Buffer.from([0x32, rest.length]), rest]));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A round trip that starts after every PUBACK the client would send by now: once the microtasks of a
 * resolved gate promise have run, a QoS 1 PUBLISH goes out on the same TCP stream and settles on the
 * broker's PUBACK, so any PUBACK written before it has been read by the broker (TCP keeps the order).
 */
async function roundTrip(bus: { publish(topic: string, payload: string, opts: { qos: 1 }): Promise<void> }): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await bus.publish('probe', 'x', { qos: 1 });
}

describe('handleIncoming: PUBACK held until the promise resolves', () => {
  it('hands messages over at once, acknowledges each only after its promise, in receive order', async (t) => {
    const broker = await startFakeBroker();
    t.after(() => broker.close());
    const held: { packet: BusPacket; resolve: () => void; reject: (e: Error) => void }[] = [];
    const bus = createLocalBusClient({
      url: `mqtt://127.0.0.1:${broker.port}`,
      clientId: 'gate-test',
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      handleIncoming: (packet) =>
        new Promise<void>((resolve, reject) => {
          held.push({ packet, resolve, reject });
        }),
    });
    t.after(() => bus.close());
    await bus.start();
    await bus.waitForConnection();

    for (const id of [1, 2, 3]) broker.publish(id, `e/m${id}`, `p${id}`);
    // Not serialised behind the first promise: all three are handed over while none is settled.
    await waitFor(() => held.length === 3, 3_000, 'three messages handed over');
    assert.deepEqual(held.map((h) => [h.packet.topic, h.packet.payload.toString(), h.packet.qos]), [['e/m1', 'p1', 1], ['e/m2', 'p2', 1], ['e/m3', 'p3', 1]]);
    await roundTrip(bus);
    assert.deepEqual(broker.pubacks, [], 'no PUBACK before the promises resolve');

    held[1]!.resolve();
    await roundTrip(bus);
    assert.deepEqual(broker.pubacks, [], 'message 2 done, but message 1 is not: order holds its PUBACK back');
    held[0]!.resolve();
    await waitFor(() => broker.pubacks.length === 2, 3_000, 'PUBACK 1 and 2');
    assert.deepEqual(broker.pubacks, [1, 2]);
    held[2]!.resolve();
    await waitFor(() => broker.pubacks.length === 3, 3_000, 'PUBACK 3');
    assert.deepEqual(broker.pubacks, [1, 2, 3]);

    // A rejection: no PUBACK, the connection is dropped so the broker redelivers.
    broker.publish(4, 'e/m4', 'p4');
    await waitFor(() => held.length === 4, 3_000, 'fourth message');
    held[3]!.reject(new Error('disk full'));
    // 'close' follows every 'data' event of the socket: whatever the client sent is counted by now.
    await waitFor(() => broker.closed === 1, 3_000, 'connection dropped');
    assert.deepEqual(broker.pubacks, [1, 2, 3], 'never acknowledged');
  });
});
