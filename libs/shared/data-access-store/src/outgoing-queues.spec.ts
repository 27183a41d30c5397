// Differential test: the indexed outgoing queues must answer exactly like aedes-persistence's in-memory
// store (linear scans), including its corner cases (same messageId from two brokers, PUBREL replacing a
// PUBLISH, duplicate enqueues for overlapping subscriptions), before and after a journal replay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import MemoryPersistence from 'aedes-persistence/asyncPersistence.js';
import { captureLogger, createRng, createTempDir } from '@ledge/shared/util/testing';
import { createDiskPersistence, type DiskPersistence } from './disk-persistence';
import type { PersistedPacket } from './packet';

type Store = Pick<DiskPersistence, 'outgoingEnqueueCombi' | 'outgoingUpdate' | 'outgoingClearMessageId' | 'outgoingStream'>;


const clients = ['a', 'b', 'c'];
const view = (p: PersistedPacket | undefined) =>
  p === undefined ? undefined : { cmd: p.cmd, brokerId: p.brokerId, brokerCounter: p.brokerCounter, payload: p.payload?.toString(), qos: p.qos, messageId: p.messageId };

async function queue(store: Store, id: string) {
  const out = [];
  for await (const p of store.outgoingStream({ id }) as Readable) out.push(view(p as PersistedPacket));
  return out;
}

async function outcome<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await run() };
  } catch {
    return { ok: false };
  }
}

describe('outgoing queues (differential against aedes-persistence in-memory)', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`answers like the reference for 600 random operations (seed ${seed})`, async (t) => {
      const rnd = createRng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const dir = createTempDir(t);
      const { logger } = captureLogger('diff', 'info');
      const broker = { id: 'b1' };
      const reference = new MemoryPersistence();
      await reference.setup(broker);
      let disk = createDiskPersistence({ dir, logger });
      await disk.setup(broker);
      t.after(() => disk.destroy());
      const ref = reference as unknown as Store;
      let counter = 0;
      const known: PersistedPacket[] = [];

      for (let step = 0; step < 600; step++) {
        const r = rnd();
        let label: string;
        if (r < 0.4) {
          const subs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ clientId: pick(clients) }));
          const packet: PersistedPacket = {
            cmd: 'publish',
            topic: 't',
            payload: Buffer.from(`m${step}`),
            qos: pick([1, 2]),
            retain: false,
            dup: false,
            brokerId: pick(['b1', 'b1', 'b2']),
            brokerCounter: rnd() < 0.1 && counter > 0 ? counter : ++counter,
            ...(rnd() < 0.2 ? { messageId: 1 + Math.floor(rnd() * 4) } : {}),
          };
          known.push(packet);
          label = `enqueue ${JSON.stringify(subs)} ${JSON.stringify(view(packet))}`;
          await ref.outgoingEnqueueCombi(subs, { ...packet });
          await disk.outgoingEnqueueCombi(subs, { ...packet });
        } else if (r < 0.75) {
          const client = { id: pick(clients) };
          const messageId = 1 + Math.floor(rnd() * 4);
          const packet: PersistedPacket =
            rnd() < 0.25 || known.length === 0 ? { cmd: 'pubrel', messageId } : { ...pick(known), messageId };
          label = `update ${client.id} ${JSON.stringify(view(packet))}`;
          const a = await outcome(() => ref.outgoingUpdate(client, { ...packet }));
          const b = await outcome(() => disk.outgoingUpdate(client, { ...packet }));
          assert.equal(b.ok, a.ok, `${label}: resolves/rejects like the reference`);
        } else {
          const client = { id: pick(clients) };
          const packet = rnd() < 0.1 ? {} : { messageId: 1 + Math.floor(rnd() * 4) };
          label = `clear ${client.id} ${JSON.stringify(packet)}`;
          const a = await outcome(() => ref.outgoingClearMessageId(client, packet));
          const b = await outcome(() => disk.outgoingClearMessageId(client, packet));
          assert.deepEqual(b.ok && view(b.value), a.ok && view(a.value), `${label}: same packet back`);
        }
        if (step === 300) {
          await disk.destroy();
          disk = createDiskPersistence({ dir, logger });
          await disk.setup(broker);
          label += ' (after reopen)';
        }
        for (const id of clients) assert.deepEqual(await queue(disk, id), await queue(ref, id), `step ${step}, ${label}, client ${id}`);
      }
    });
  }
});

describe('outgoing queues: packet ids in use', () => {
  it('says whether a packet id is held by another queued entry of the client than the packet\'s own', async (t) => {
    const disk = createDiskPersistence({ dir: createTempDir(t, 'ledge-queues-'), logger: captureLogger('q').logger });
    await disk.setup({ id: 'B2' });
    t.after(() => disk.destroy());
    const publish = (brokerId: string, brokerCounter: number, messageId?: number): PersistedPacket => ({
      cmd: 'publish', topic: 'e', payload: Buffer.from('x'), qos: 1, brokerId, brokerCounter, ...(messageId === undefined ? {} : { messageId }),
    });
    await disk.outgoingEnqueueCombi([{ clientId: 'a' }], publish('B1', 1));
    await disk.outgoingUpdate({ id: 'a' }, publish('B1', 1, 100)); // in flight as 100
    await disk.outgoingEnqueueCombi([{ clientId: 'a' }], publish('B2', 7));
    assert.equal(disk.outgoingMessageIdTaken('a', 100, publish('B2', 7, 100)), true, 'another message holds 100');
    assert.equal(disk.outgoingMessageIdTaken('a', 100, publish('B1', 1, 100)), false, 'its own id');
    assert.equal(disk.outgoingMessageIdTaken('a', 101, publish('B2', 7, 101)), false, 'a free id');
    assert.equal(disk.outgoingMessageIdTaken('b', 100, publish('B2', 7, 100)), false, 'ids are per client');
  });
});
