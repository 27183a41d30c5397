// Local digital twins (issue 20) on the wire: the connector bundle with `localTwins` on, the Ledge broker
// as the local bus and a Mosquitto as Hono, with the test playing Ditto behind it (it keeps the cloud's
// desired properties and answers the sync's retrieve as Ditto does, through a command to the device).
// Offline changes reach the cloud as their last state after reconnect, deletions as one merge; desired
// properties set in the cloud while the gateway was offline reach local apps; `retrieve` is answered from
// the store offline; a SIGKILL between a local change and its sync loses nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, waitFor, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';
import { startCloudBroker, type CloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';
import { localTwinApp, type Envelope } from './testing/twin-fixture';


const twin = (action: string, path: string, value?: unknown, headers: Record<string, unknown> = {}): string =>
  JSON.stringify({ topic: `demo/device/things/twin/commands/${action}`, headers: { 'correlation-id': `${action}-${path}`, ...headers }, path, ...(value === undefined ? {} : { value }) });

/** Plays Ditto behind Hono: records every event the device sent and answers retrieves with the cloud's desired properties. */
async function playDitto(t: TestContextLike, cloud: CloudBroker) {
  const desired: Record<string, Record<string, unknown>> = {};
  const events: Envelope[] = [];
  const client = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'ditto', clean: false, reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  client.on('message', (_topic, payload) => {
    const env = JSON.parse(payload.toString()) as Envelope;
    events.push(env);
    if (!env.topic.endsWith('/things/twin/commands/retrieve')) return;
    const features = Object.fromEntries(Object.entries(desired).map(([f, d]) => [f, { desiredProperties: d }]));
    const answer = { topic: env.topic, headers: { 'correlation-id': env.headers?.['correlation-id'] }, path: '/', status: 200, value: { features } };
    void client.publishAsync('command///req/ditto-1/retrieve', JSON.stringify(answer), { qos: 1 });
  });
  await client.subscribeAsync('event/#', { qos: 1 });
  return { desired, events, modifies: (path: string) => events.filter((e) => e.path === path && e.topic.endsWith('/twin/commands/modify')) };
}


describe('connector: local digital twins (Hono)', { timeout: 120_000 }, () => {
  it('offline changes, cloud desired properties, retrieve from the store and a SIGKILL before the sync', async (t) => {
    const cloud = await startCloudBroker(t);
    const ditto = await playDitto(t, cloud);
    const local = await startLedgeBroker(t);
    const app = await localTwinApp(t, local.port, ['command///req/#']);
    const dir = createTempDir(t);
    const args = {
      address: `mqtt://127.0.0.1:${cloud.plainPort}`, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`, localTwins: true,
    };
    let connector: Spawned = spawnConnector(t, args);
    await waitFor(() => app.connected(), 15_000, 'connected to the cloud');

    // Online: the change is answered locally (201), announced as an event and forwarded to the cloud at once.
    await app.send(twin('modify', '/features/lamp', { properties: { on: false } }));
    await waitFor(() => app.got.some((g) => g.topic === 'command///req//modify-response'), 5_000, 'local response');
    assert.equal(app.got.find((g) => g.topic === 'command///req//modify-response')!.env.status, 201);
    assert.ok(app.got.some((g) => g.topic === 'command///req//created' && g.env.path === '/features/lamp'), 'created event');
    await waitFor(() => ditto.modifies('/features/lamp').length === 1, 5_000, 'forwarded online');
    assert.equal(ditto.modifies('/features/lamp')[0]!.headers?.['response-required'], false, 'the cloud does not answer a forwarded change');

    // Offline: three steps on `meter`, a delete of `lamp`; the cloud sets desired properties meanwhile.
    await cloud.stop();
    await waitFor(() => !app.connected(), 10_000, 'offline');
    ditto.desired['meter'] = { target: 5 };
    await app.send(twin('modify', '/features/meter', { properties: { value: 1 } }));
    await app.send(twin('modify', '/features/meter/properties/value', 2));
    await app.send(twin('merge', '/features/meter/properties', { unit: 'kWh' }, { 'content-type': 'application/merge-patch+json' }));
    await app.send(twin('delete', '/features/lamp'));
    // retrieve offline: answered from the store
    await app.send(twin('retrieve', '/features/meter/properties'));
    await waitFor(() => app.got.some((g) => g.topic === 'command///req//retrieve-response'), 5_000, 'retrieve answered offline');
    const retrieved = app.got.find((g) => g.topic === 'command///req//retrieve-response')!.env;
    assert.equal(retrieved.status, 200);
    assert.deepEqual(retrieved.value, { value: 2, unit: 'kWh' });

    // SIGKILL after the last change was acknowledged locally and before any sync; a new connector starts on the same data.
    await connector.kill('SIGKILL');
    await app.send(twin('modify', '/features/meter/properties/value', 3)); // queued by the broker for the connector's session
    connector = spawnConnector(t, args);
    await connector.waitForLog((l) => l['msg'] === 'local twins loaded');
    await cloud.start();
    await waitFor(() => app.connected(), 15_000, 'reconnected');

    // The sync: retrieve → the cloud's desired properties reach the local app → the last state goes up.
    await waitFor(() => app.got.some((g) => g.topic === 'command///req//modified' && g.env.path === '/features/meter/desiredProperties'), 15_000, 'desired properties from the cloud');
    const desiredEvent = app.got.find((g) => g.topic === 'command///req//modified' && g.env.path === '/features/meter/desiredProperties')!.env;
    assert.deepEqual(desiredEvent.value, { target: 5 });
    await waitFor(() => ditto.events.some((e) => e.path === '/features' && e.topic.endsWith('/twin/commands/merge')), 15_000, 'deletions pushed');
    const deletion = ditto.events.find((e) => e.path === '/features' && e.topic.endsWith('/twin/commands/merge'))!;
    assert.deepEqual(deletion.value, { lamp: null });
    assert.equal(deletion.headers?.['content-type'], 'application/merge-patch+json');
    // meter has desired properties now: its properties are pushed, not the whole feature (which would drop them at the cloud).
    await waitFor(() => ditto.modifies('/features/meter/properties').some((e) => JSON.stringify(e.value) === JSON.stringify({ value: 3, unit: 'kWh' })), 15_000, 'last state of meter');
    assert.deepEqual(ditto.modifies('/features/meter'), [], 'no whole-feature push over the cloud desired properties');
    assert.equal(ditto.events.filter((e) => JSON.stringify(e.value) === JSON.stringify({ value: 1 })).length, 0, 'intermediate offline steps are not replayed');

    // Once synchronised, a reconnect pushes nothing again (the sync still asks for the desired properties).
    const syncs = () => connector.logs.filter((l) => l['msg'] === 'pushing the local twin to the cloud');
    await waitFor(() => syncs().length >= 1, 5_000, 'first sync logged');
    // the cloud acknowledged the pushes (PUBACK) before it goes away again, else they are pushed again (at least once)
    const acked = (path: string) => connector.logs.some((l) => l['msg'] === 'twin change acknowledged by the cloud' && l['path'] === path);
    await waitFor(() => acked('/features') && acked('/features/meter/properties'), 10_000, 'the pushes acknowledged');
    const before = ditto.events.length;
    const syncsBefore = syncs().length;
    await cloud.stop();
    await waitFor(() => !app.connected(), 10_000, 'offline again');
    await cloud.start();
    await waitFor(() => syncs().length > syncsBefore, 20_000, 'second sync');
    assert.equal(syncs().at(-1)!['changes'], 0, 'nothing left to push');
    assert.ok(ditto.events.slice(before).some((e) => e.topic.endsWith('/twin/commands/retrieve')), 'the second sync asked for the desired properties');
    // Mosquitto may deliver to Ditto again what it had not seen acknowledged when it stopped (QoS 1, Ditto's
    // persistent session): the same message (correlation-id) twice is not a second push.
    const seen = new Set(ditto.events.slice(0, before).map((e) => e.headers?.['correlation-id']));
    const again = ditto.events.slice(before).filter((e) => !seen.has(e.headers?.['correlation-id']));
    assert.deepEqual(again.filter((e) => !e.topic.endsWith('/twin/commands/retrieve') && !e.path.startsWith('/features/Health')), [], 'no twin change went up again');
  });
});
