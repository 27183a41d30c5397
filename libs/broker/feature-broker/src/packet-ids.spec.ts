// [MQTT-2.3.1-2] on the disk persistence: a delivery never gets the packet id of a message the resumed
// session still has in flight. aedes numbers deliveries from a counter that starts at random on every
// CONNECT; the tests set that counter (through the aedes instance the persistence is given) so that it
// lands on the in-flight ids, which happens by chance on a gateway (see packet-ids.ts).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Aedes } from 'aedes';
import type { Packet } from 'mqtt-packet';
import { captureLogger, createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import type { DiskPersistence } from '@ledge/shared/data-access-store';
import { defaultBrokerConfig } from './config';
import { createBroker } from './create-broker';
import { diskPersistence, type PersistenceFactory } from './persistence';
import { ensureFreePacketId } from './packet-ids';

interface Started {
  url: string;
  store: DiskPersistence;
  aedes: Aedes;
  close(): Promise<void>;
}

/** A broker on `dir` whose persistence hands the test its store and the aedes instance; `hook` wraps the store. */
async function start(t: TestContextLike, dir: string, hook?: (store: DiskPersistence) => void): Promise<Started> {
  let store: DiskPersistence | undefined;
  let aedes: Aedes | undefined;
  const factory: PersistenceFactory = (c) => {
    const s = diskPersistence(c) as unknown as DiskPersistence;
    const setup = s.setup.bind(s);
    s.setup = async (b) => {
      aedes = b as unknown as Aedes;
      await setup(b);
    };
    hook?.(s);
    store = s;
    return s;
  };
  const broker = createBroker({ ...defaultBrokerConfig, port: 0, dataDir: dir, fsync: 'always' }, { logger: captureLogger('broker').logger, persistenceFactory: factory });
  t.after(() => broker.close());
  await broker.start();
  return { url: `mqtt://127.0.0.1:${broker.addresses()[0]!.port}`, store: store!, aedes: aedes!, close: () => broker.close() };
}

async function client(t: TestContextLike, url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  t.after(() => c.endAsync(true));
  return c;
}

/** The next CONNECT of `clientId` starts numbering at `nextId`. */
function numberFrom(aedes: Aedes, clientId: string, nextId: number): void {
  aedes.on('client', (c) => {
    if (c.id === clientId) (c as unknown as { _nextId: number })._nextId = nextId;
  });
}

/** A session `sink` that takes PUBLISHes and never acknowledges them (MQTT.js sends no PUBACK until handleMessage calls back). */
function withholdAcks(c: MqttClient): { publishes: Packet[] } {
  const publishes: Packet[] = [];
  (c as unknown as { handleMessage: () => void }).handleMessage = () => undefined;
  c.on('packetreceive', (p) => void (p.cmd === 'publish' && publishes.push(p)));
  return { publishes };
}

/** Every PUBLISH `sink` receives; its PUBACKs wait for ackAll() (the connector's do, for the outbox write). */
function record(c: MqttClient): { publishes: { messageId: number; payload: string }[]; ackAll(): void } {
  const publishes: { messageId: number; payload: string }[] = [];
  c.on('packetreceive', (p) => void (p.cmd === 'publish' && publishes.push({ messageId: p.messageId!, payload: p.payload.toString() })));
  const internal = c as unknown as { _sendPacket: (p: { cmd: string }, cb?: () => void) => void };
  const send = internal._sendPacket.bind(c);
  const held: { cmd: string }[] = [];
  let holding = true;
  internal._sendPacket = (p, cb) => {
    if (holding && p.cmd === 'puback') {
      held.push(p);
      cb?.();
    } else send(p, cb);
  };
  return {
    publishes,
    ackAll: () => {
      holding = false;
      for (const p of held.splice(0)) send(p);
    },
  };
}

/** `n` messages in flight to `sink` (ids from `from`), then the session goes offline without acknowledging them. */
async function inFlight(t: TestContextLike, b: Started, prefix: string, n: number, from: number): Promise<void> {
  numberFrom(b.aedes, 'sink', from);
  const sink = mqtt.connect(b.url, { clientId: 'sink', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
  t.after(() => sink.endAsync(true));
  const held = withholdAcks(sink);
  await new Promise((r) => sink.once('connect', r));
  await sink.subscribeAsync('e', { qos: 1 });
  const pub = await client(t, b.url, { clientId: `pub-${prefix}` });
  for (let i = 0; i < n; i++) await pub.publishAsync('e', `${prefix}${i}`, { qos: 1 });
  await waitFor(() => held.publishes.length >= 1, 5_000, 'the first delivery');
  await waitFor(() => b.store.stats().queued === n, 5_000, `${n} queued`);
  sink.end(true);
  await pub.endAsync();
}

describe('broker: packet ids of a resumed session', { timeout: 30_000 }, () => {
  it('gives a delivery an id no in-flight message of the session holds', () => {
    const held = new Set([7, 8, 10]);
    const c = { _nextId: 8 };
    const p = { cmd: 'publish', messageId: 7 };
    ensureFreePacketId(c, p, (id) => held.has(id));
    assert.equal(p.messageId, 9, 'the next free one from the counter');
    assert.equal(c._nextId, 10);
    const own = { cmd: 'publish', messageId: 11 };
    ensureFreePacketId(c, own, (id) => held.has(id));
    assert.equal(own.messageId, 11, 'a free id stays');
    const pubrel = { cmd: 'pubrel', messageId: 7 };
    ensureFreePacketId(c, pubrel, (id) => held.has(id));
    assert.equal(pubrel.messageId, 7, 'a PUBREL keeps its PUBLISH id');
    const wrap = { _nextId: 65_535 };
    const q = { cmd: 'publish', messageId: 7 };
    ensureFreePacketId(wrap, q, (id) => held.has(id) || id === 65_535);
    assert.equal(q.messageId, 1, 'the counter wraps to 1');
  });

  it('after a restart, queued messages and the re-sent in-flight ones all get distinct ids, and every acknowledgement empties the queue', async (t) => {
    const dir = createTempDir(t, 'ledge-packet-ids-');
    const first = await start(t, dir);
    await inFlight(t, first, 'old-', 3, 100); // ids 100–102 in flight
    await first.close();
    const second = await start(t, dir); // another broker id
    const pub = await client(t, second.url, { clientId: 'pub-new' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('e', `new-${i}`, { qos: 1 });
    numberFrom(second.aedes, 'sink', 100); // the new numbering starts on the old ids
    const sink = mqtt.connect(second.url, { clientId: 'sink', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => sink.endAsync(true));
    const got = record(sink);
    await waitFor(() => got.publishes.length >= 8, 5_000, 'the 8 messages');
    assert.deepEqual(got.publishes.map((p) => p.payload).sort(), ['new-0', 'new-1', 'new-2', 'new-3', 'new-4', 'old-0', 'old-1', 'old-2']);
    const ids = got.publishes.map((p) => p.messageId);
    assert.equal(new Set(ids).size, 8, `distinct packet ids in flight: ${ids.join(',')}`);
    assert.deepEqual(ids.slice(0, 3), [100, 101, 102], 'the re-sent ones keep their ids [MQTT-4.4.0-1]');
    got.ackAll();
    await waitFor(() => second.store.stats().queued === 0, 5_000, 'an empty queue once all is acknowledged');
  });

  it('a live delivery during the re-send of the in-flight ones overwrites none of them', async (t) => {
    const dir = createTempDir(t, 'ledge-packet-ids-');
    const first = await start(t, dir);
    await inFlight(t, first, 'old-', 3, 200); // ids 200–202 in flight
    await first.close();
    // The re-send reads the third in-flight message from the store only once the live one has been numbered.
    let liveNumbered!: () => void;
    const numbered = new Promise<void>((r) => (liveNumbered = r));
    const second = await start(t, dir, (s) => {
      const update = s.outgoingUpdate.bind(s);
      s.outgoingUpdate = async (c, p) => {
        await update(c, p);
        if (String(p.payload) === 'live') liveNumbered();
      };
      const stream = s.outgoingStream.bind(s);
      s.outgoingStream = (c) => {
        const inner = stream(c)[Symbol.asyncIterator]();
        return Readable.from(
          (async function* () {
            for (let i = 0; ; i++) {
              if (i === 1) await numbered;
              const next = await inner.next();
              if (next.done) return;
              yield next.value;
            }
          })(),
          { highWaterMark: 1 },
        );
      };
    });
    numberFrom(second.aedes, 'sink', 202); // the live message would get the id of the third in-flight one
    const sink = mqtt.connect(second.url, { clientId: 'sink', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => sink.endAsync(true));
    const got = record(sink);
    await new Promise((r) => sink.once('connect', r));
    await waitFor(() => got.publishes.length >= 1, 5_000, 'the first re-sent');
    const pub = await client(t, second.url, { clientId: 'pub-live' });
    await pub.publishAsync('e', 'live', { qos: 1 });
    await waitFor(() => got.publishes.length >= 4, 5_000, 'the live one and the third re-sent');
    assert.deepEqual(got.publishes.map((p) => p.payload).sort(), ['live', 'old-0', 'old-1', 'old-2']);
    assert.equal(new Set(got.publishes.map((p) => p.messageId)).size, 4, 'distinct packet ids');
    got.ackAll();
    await waitFor(() => second.store.stats().queued === 0, 5_000, 'an empty queue once all is acknowledged');
  });
});
