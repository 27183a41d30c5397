// AWS desired state on the wire (issue 20): the connector bundle in `mode aws` (local twins off, Kanto's
// default) against a Mosquitto standing in for AWS IoT Core, with the test playing the Device Shadow
// service (it keeps shadow documents, answers `get` and `update`, and sends `update/delta`). After each
// connect the connector asks for the shadows it knows; the delta of a feature's shadow reaches local apps
// as a twin event on its desiredProperties (replace), later deltas as merges; the reported state goes up
// as `state.reported`, a local desiredProperties change as `state.desired` only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { makePki, startEndpointBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';
import { isObject, localTwinApp, mergePatch, type Envelope, type Json } from './testing/twin-fixture';

interface ShadowDoc {
  desired: Json;
  reported: Json;
  version: number;
}

const BASE = '$aws/things/demo:device/shadow';
const CLASSIC = '';

/** The desired keys that differ from reported (top level is enough here). */
function deltaOf(doc: ShadowDoc, keys = Object.keys(doc.desired)): Json | undefined {
  const d: Json = {};
  for (const k of keys) if (k in doc.desired && JSON.stringify(doc.desired[k]) !== JSON.stringify(doc.reported[k])) d[k] = doc.desired[k];
  return Object.keys(d).length > 0 ? d : undefined;
}

/** Plays the Device Shadow service of thing demo:device on the endpoint's plain listener. */
async function playShadowService(t: TestContextLike, port: number, seed: Record<string, Pick<ShadowDoc, 'desired' | 'reported'>>) {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'shadow-service', reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const docs = new Map<string, ShadowDoc>(Object.entries(seed).map(([name, d]) => [name, { ...d, version: 1 }]));
  const requests: { name: string; op: 'get' | 'update'; state?: Json }[] = [];
  const at = (name: string, suffix: string) => (name === CLASSIC ? `${BASE}/${suffix}` : `${BASE}/name/${name}/${suffix}`);
  const reply = (topic: string, body: unknown) => void client.publishAsync(topic, JSON.stringify(body), { qos: 1 });

  const update = (name: string, state: Json) => {
    const doc = docs.get(name) ?? { desired: {}, reported: {}, version: 0 };
    if (isObject(state['reported'])) doc.reported = mergePatch(doc.reported, state['reported']);
    if (isObject(state['desired'])) doc.desired = mergePatch(doc.desired, state['desired']);
    doc.version++;
    docs.set(name, doc);
    reply(at(name, 'update/accepted'), { state, version: doc.version });
    const delta = isObject(state['desired']) ? deltaOf(doc, Object.keys(state['desired'])) : undefined;
    if (delta !== undefined) reply(at(name, 'update/delta'), { state: delta, version: doc.version });
  };

  client.on('message', (topic, payload) => {
    const m = /^\$aws\/things\/demo:device\/shadow(?:\/name\/([^/]+))?\/(get|update)$/.exec(topic);
    if (m === null) return;
    const name = m[1] ?? CLASSIC;
    const op = m[2] as 'get' | 'update';
    if (op === 'get') {
      requests.push({ name, op });
      const doc = docs.get(name);
      if (doc === undefined) return reply(at(name, 'get/rejected'), { code: 404, message: `No shadow exists with name: '${name}'` });
      const delta = deltaOf(doc);
      return reply(at(name, 'get/accepted'), { state: { desired: doc.desired, reported: doc.reported, ...(delta ? { delta } : {}) }, version: doc.version });
    }
    const state = (JSON.parse(payload.toString()) as { state: Json }).state;
    requests.push({ name, op, state });
    update(name, state);
  });
  await client.subscribeAsync(`${BASE}/#`, { qos: 1 });
  return {
    docs,
    requests,
    /** A business application setting desired state (through the service's API, not MQTT: not one of `requests`). */
    setDesired: (name: string, desired: Json) => update(name, { desired }),
  };
}


describe('connector: AWS shadows, desired state', { timeout: 90_000 }, () => {
  it('get at connect → desired (replace), update/delta → merge, reported and desired go up apart', async (t) => {
    const pki = makePki(t, 'demo:device');
    const aws = await startEndpointBroker(t, pki, { requireCertificate: true });
    const local = await startLedgeBroker(t);
    const shadows = await playShadowService(t, aws.plainPort, {
      [CLASSIC]: { desired: { location: 'lab' }, reported: {} },
      meter: { desired: { interval: 10, unit: 'W' }, reported: { unit: 'W' } },
      'edge:containers:ContainerFactory': { desired: { limit: 3 }, reported: {} },
    });
    const app = await localTwinApp(t, local.port);
    const c = spawnConnector(t, {
      mode: 'aws', address: `tls://127.0.0.1:${aws.tlsPort}`, caCert: pki.ca, cert: pki.clientCert, key: pki.clientKey,
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: createTempDir(t),
    });
    const gets = (name: string) => shadows.requests.filter((r) => r.op === 'get' && r.name === name).length;
    const updates = (name: string) => shadows.requests.filter((r) => r.op === 'update' && r.name === name).map((r) => r.state);
    const desiredEvents = () => app.got.filter((e) => e.env.path.endsWith('/desiredProperties'));

    // First connect: no twin store, nothing reported yet: only the classic shadow is asked for. Its delta
    // (attributes) has no desired counterpart in Ditto: dropped with a reason, nothing reaches local apps.
    await waitFor(() => app.connected() && gets(CLASSIC) === 1, 15_000, 'connected and the classic shadow asked for');
    const attributesDrop = (l: Record<string, unknown>) => l['msg'] === 'cloud message not routable locally; dropped' && /only for features/.test(String(l['reason']));
    await waitFor(() => c.logs.some(attributesDrop), 10_000, 'the classic delta dropped with a reason');
    assert.match(String(c.logs.find(attributesDrop)!['reason']), /classic shadow \(attributes of "demo:device"\)/);

    // Reported state: a local modify of properties becomes state.reported of the feature's named shadow.
    await app.modify('/features/meter/properties', { unit: 'W', value: 1 });
    await app.modify('/features/ContainerFactory/properties', { running: 0 }, 'demo/device:edge:containers');
    await waitFor(() => updates('meter').length === 1 && updates('edge:containers:ContainerFactory').length === 1, 10_000, 'reported updates');
    assert.deepEqual(updates('meter'), [{ reported: { unit: 'W', value: 1 } }]);
    assert.deepEqual(updates('edge:containers:ContainerFactory'), [{ reported: { running: 0 } }]);

    // Reconnect (another client takes the connector's client ID over, as AWS does with a duplicate ID):
    // the connector now asks for the shadows of the features it reported, and their deltas come down.
    const intruder = await connectAsync(`mqtt://127.0.0.1:${aws.plainPort}`, { clientId: 'demo:device', reconnectPeriod: 0 });
    t.after(() => intruder.endAsync(true));
    await waitFor(() => gets(CLASSIC) === 2 && gets('meter') === 1 && gets('edge:containers:ContainerFactory') === 1, 15_000, 'shadow gets after the reconnect');
    // (The connector's own Health feature is asked for too: no delta, so its desired properties are {}.)
    const event = (topic: string, feature: string) => desiredEvents().find((e) => e.topic === topic && e.env.path === `/features/${feature}/desiredProperties`);
    await waitFor(() => event('command///req//modified', 'meter') && event('command//demo:device:edge:containers/req//modified', 'ContainerFactory'), 10_000, 'desired properties from the get answers');
    assert.deepEqual(pick(event('command///req//modified', 'meter')), {
      topic: 'demo/device/things/twin/events/modified', path: '/features/meter/desiredProperties', value: { interval: 10 },
    });
    assert.deepEqual(pick(event('command//demo:device:edge:containers/req//modified', 'ContainerFactory')), {
      topic: 'demo/device:edge:containers/things/twin/events/modified', path: '/features/ContainerFactory/desiredProperties', value: { limit: 3 },
    });
    assert.ok(desiredEvents().every((e) => isObject(e.env.headers)), 'twin events carry headers');
    assert.ok(app.got.every((e) => !e.env.path.startsWith('/attributes')), 'no event for the classic shadow\'s delta');

    // A business application changes the desired state: AWS sends update/delta, local apps get a merge.
    shadows.setDesired('meter', { interval: 20, mode: 'eco' });
    await waitFor(() => event('command///req//merged', 'meter'), 10_000, 'the delta as a merge');
    assert.deepEqual(pick(event('command///req//merged', 'meter')), {
      topic: 'demo/device/things/twin/events/merged', path: '/features/meter/desiredProperties', value: { interval: 20, mode: 'eco' },
    });

    // A local app changing desiredProperties writes state.desired of the shadow, never reported.
    await app.modify('/features/meter/desiredProperties/mode', 'off');
    await waitFor(() => updates('meter').length === 2, 10_000, 'desired update');
    assert.deepEqual(updates('meter')[1], { desired: { mode: 'off' } });
    assert.deepEqual(shadows.docs.get('meter')?.reported, { unit: 'W', value: 1 });
    assert.deepEqual(shadows.docs.get('meter')?.desired, { interval: 20, unit: 'W', mode: 'off' });

    // And the reported state keeps flowing: after the get the connector knows what AWS holds.
    await app.modify('/features/meter/properties', { unit: 'kW' });
    await waitFor(() => updates('meter').length === 3, 10_000, 'second reported update');
    assert.deepEqual(updates('meter')[2], { reported: { unit: 'kW', value: null } });
  });
});

function pick(e: { env: Envelope } | undefined) {
  assert.ok(e, 'event received');
  return { topic: e.env.topic, path: e.env.path, value: e.env.value };
}
