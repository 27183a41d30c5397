import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeLocalBus } from './testing/fake-local-bus';
import { localBusClientContract } from './testing/contract';

// One bus for the whole contract run: every client the factory makes shares it, as with a real broker.
const bus = createFakeLocalBus();
localBusClientContract('in-memory fake', () => bus.createClient());

describe('createFakeLocalBus: outages', () => {
  it('disconnects clients while offline, then reconnects and resubscribes them', async () => {
    const b = createFakeLocalBus();
    const c = b.createClient();
    const events: string[] = [];
    c.on('connected', () => void events.push('connected'));
    c.on('disconnected', (i) => void events.push(`disconnected: ${i.reason}`));
    c.on('reconnecting', (i) => void events.push(`reconnecting ${i.attempt}`));
    const got: string[] = [];
    c.onMessage('t/#', (topic, payload) => void got.push(`${topic}=${payload.toString()}`));
    await c.start();
    await c.subscribe('t/#', { qos: 1 });
    await b.flush();
    b.setOnline(false);
    await c.publish('t/zero', 'dropped');
    const queued = c.publish('t/one', 'queued', { qos: 1 });
    b.inject('t/missed', 'while offline');
    assert.equal(c.stats().droppedQos0, 1);
    b.setOnline(true);
    await queued;
    await b.flush();
    assert.deepEqual(events, ['connected', 'disconnected: broker unavailable', 'reconnecting 1', 'connected']);
    assert.deepEqual(got, ['t/one=queued']);
    await c.close();
  });

  it('records what was published and keeps retained messages', async () => {
    const b = createFakeLocalBus();
    const c = b.createClient({ clientId: 'cm' });
    await c.start();
    await c.waitForConnection();
    await c.publish('edge/connection/remote/status', '{"connected":true}', { qos: 1, retain: true });
    assert.deepEqual(b.published.map((p) => [p.clientId, p.topic, p.qos, p.retain]), [['cm', 'edge/connection/remote/status', 1, true]]);
    assert.equal(b.retained('edge/connection/remote/status')?.toString(), '{"connected":true}');
    await c.close();
  });
});

describe('createFakeLocalBus: idle()', () => {
  /** A turn of the event loop: work that takes a few of them is not done after a flush of microtasks. */
  const turn = () => new Promise<void>((r) => setImmediate(r));

  it('waits for the promises handlers return and the traffic they cause, down the chain', async () => {
    const b = createFakeLocalBus();
    const server = b.createClient({ clientId: 'server' });
    const asker = b.createClient({ clientId: 'asker' });
    await Promise.all([server.start(), asker.start()]);
    const got: string[] = [];
    server.onMessage('ask', async (_t, payload) => {
      for (let i = 0; i < 20; i++) await turn();
      await server.publish('answer', `re: ${payload.toString()}`, { qos: 1 });
    });
    asker.onMessage('answer', async (_t, payload) => {
      for (let i = 0; i < 20; i++) await turn();
      got.push(payload.toString());
    });
    await Promise.all([server.subscribe('ask', { qos: 1 }), asker.subscribe('answer', { qos: 1 })]);
    b.inject('ask', 'one');
    await b.flush();
    assert.deepEqual(got, [], 'still at work after a flush');
    await b.idle();
    assert.deepEqual(got, ['re: one']);
    await Promise.all([server.close(), asker.close()]);
  });

  it('waits for publishes and deliveries that handlers returning nothing set off', async () => {
    const b = createFakeLocalBus();
    const c = b.createClient();
    await c.start();
    const got: string[] = [];
    c.onMessage('hop/#', (topic, payload) => {
      const n = Number(payload.toString());
      if (n < 5) void c.publish(`hop/${n + 1}`, String(n + 1), { qos: 1 });
      else got.push(topic);
    });
    await c.subscribe('hop/#', { qos: 1 });
    b.inject('hop/0', '0');
    await b.idle();
    assert.deepEqual(got, ['hop/5']);
    await c.close();
  });

  it('a handler that rejects or returns nothing is done; a publish held while offline is not waited for', async () => {
    const b = createFakeLocalBus();
    const c = b.createClient();
    await c.start();
    const seen: string[] = [];
    c.onMessage('t/#', async (topic) => {
      seen.push(topic);
      throw new Error('bad payload');
    });
    c.onMessage('t/#', (topic) => void seen.push(`sync ${topic}`));
    await c.subscribe('t/#', { qos: 1 });
    b.inject('t/a', 'x');
    await b.idle();
    assert.deepEqual(seen, ['t/a', 'sync t/a']);
    b.setOnline(false);
    let sent = false;
    const queued = c.publish('t/b', 'later', { qos: 1 }).then(() => (sent = true));
    await b.idle();
    assert.equal(sent, false);
    b.setOnline(true);
    await queued;
    await b.idle();
    assert.deepEqual(seen.slice(2), ['t/b', 'sync t/b']);
    await c.close();
  });
});
