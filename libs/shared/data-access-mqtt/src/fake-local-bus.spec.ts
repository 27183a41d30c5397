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
