// Azure IoT Hub device twin and direct methods on the wire (issue 20): the connector bundle in `mode azure`
// (local twins off, Kanto's default) against a Mosquitto standing in for IoT Hub, with the test playing
// the hub's twin and method service on `$iothub/...` (it keeps the twin document, answers the twin GET and
// reported-property patches, sends desired-property patches and invokes a direct method). Local apps get
// the desired properties as twin events, answer the method as a Ditto live message, and their twin
// modifies come back to the hub as reported properties (besides the D2C message Kanto's backends read).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { makePki, startEndpointBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';
import { localTwinApp, mergePatch, type Envelope, type Json } from './testing/twin-fixture';


/** Plays IoT Hub's twin and method endpoints for the device on the endpoint's plain listener. */
async function playIotHub(t: TestContextLike, port: number, twin: { desired: Json; reported: Json }) {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'iothub-service', reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const doc = { desired: { ...twin.desired }, reported: { ...twin.reported }, desiredVersion: 1, reportedVersion: 1 };
  const gets: string[] = [];
  const patches: { rid: string; body: Json }[] = [];
  const methodResponses: { topic: string; body: unknown }[] = [];
  const d2c: string[] = [];
  const send = (topic: string, body: unknown) => void client.publishAsync(topic, body === undefined ? '' : JSON.stringify(body), { qos: 1 });

  client.on('message', (topic, payload) => {
    let m: RegExpExecArray | null;
    if ((m = /^\$iothub\/twin\/GET\/\?\$rid=(.+)$/.exec(topic)) !== null) {
      gets.push(m[1]!);
      send(`$iothub/twin/res/200/?$rid=${m[1]}`, {
        desired: { ...doc.desired, $version: doc.desiredVersion },
        reported: { ...doc.reported, $version: doc.reportedVersion },
      });
    } else if ((m = /^\$iothub\/twin\/PATCH\/properties\/reported\/\?\$rid=(.+)$/.exec(topic)) !== null) {
      const body = JSON.parse(payload.toString()) as Json;
      patches.push({ rid: m[1]!, body });
      doc.reported = mergePatch(doc.reported, body);
      send(`$iothub/twin/res/204/?$rid=${m[1]}&$version=${++doc.reportedVersion}`, undefined);
    } else if (topic.startsWith('$iothub/methods/res/')) {
      methodResponses.push({ topic, body: JSON.parse(payload.toString()) as unknown });
    } else if (topic.startsWith('devices/demo:device/messages/events/')) {
      d2c.push(payload.toString());
    }
  });
  await client.subscribeAsync(['$iothub/#', 'devices/#'], { qos: 1 });
  return {
    doc,
    gets,
    patches,
    methodResponses,
    d2c,
    /** A back-end application updating desired properties: the hub sends the device a patch. */
    setDesired(patch: Json) {
      doc.desired = mergePatch(doc.desired, patch);
      doc.desiredVersion++;
      send(`$iothub/twin/PATCH/properties/desired/?$version=${doc.desiredVersion}`, { ...patch, $version: doc.desiredVersion });
    },
    invoke: (method: string, rid: string, payload: unknown) => send(`$iothub/methods/POST/${method}/?$rid=${rid}`, payload),
  };
}


function pick(e: { env: Envelope } | undefined) {
  assert.ok(e, 'event received');
  return { topic: e.env.topic, path: e.env.path, value: e.env.value };
}

describe('connector: Azure IoT Hub device twin and direct methods', { timeout: 90_000 }, () => {
  it('twin GET at connect → desired (replace), desired patch → merge, direct method round trip, reported patches', async (t) => {
    const pki = makePki(t, 'unused');
    const hub = await startEndpointBroker(t, pki, { requireCertificate: false });
    const local = await startLedgeBroker(t);
    const iothub = await playIotHub(t, hub.plainPort, {
      desired: { meter: { interval: 10, unit: 'W' }, 'edge:containers:ContainerFactory': { limit: 3 } },
      reported: { meter: { stale: true } },
    });
    // `command///req/#` (ditto-go apps, gateway) and `command//<thing>/req/#` (Kanto's Azure C2D level).
    const app = await localTwinApp(t, local.port);
    const key = Buffer.from('ledge-test-shared-access-key-32b').toString('base64');
    const c = spawnConnector(t, {
      mode: 'azure', connectionString: `HostName=ledge-test.azure-devices.net;DeviceId=demo:device;SharedAccessKey=${key}`,
      address: `mqtts://127.0.0.1:${hub.tlsPort}`, caCert: pki.ca, localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: createTempDir(t),
    });
    const desiredEvent = (topic: string, feature: string) => app.got.find((e) => e.topic === topic && e.env.path === `/features/${feature}/desiredProperties`);

    // Connect: the connector GETs the twin; each desired section reaches local apps as a twin event (replace).
    await waitFor(() => app.connected() && iothub.gets.length === 1, 15_000, 'connected and the twin asked for');
    await waitFor(() => desiredEvent('command///req//modified', 'meter') && desiredEvent('command//demo:device:edge:containers/req//modified', 'ContainerFactory'), 10_000, 'desired properties from the GET');
    assert.deepEqual(pick(desiredEvent('command///req//modified', 'meter')), {
      topic: 'demo/device/things/twin/events/modified', path: '/features/meter/desiredProperties', value: { interval: 10, unit: 'W' },
    });
    assert.deepEqual(pick(desiredEvent('command//demo:device:edge:containers/req//modified', 'ContainerFactory')), {
      topic: 'demo/device:edge:containers/things/twin/events/modified', path: '/features/ContainerFactory/desiredProperties', value: { limit: 3 },
    });

    // A back-end application patches the desired properties: local apps get the merge patch.
    iothub.setDesired({ meter: { interval: 20, unit: null } });
    await waitFor(() => desiredEvent('command///req//merged', 'meter'), 10_000, 'the desired patch as a merge');
    assert.deepEqual(pick(desiredEvent('command///req//merged', 'meter')), {
      topic: 'demo/device/things/twin/events/merged', path: '/features/meter/desiredProperties', value: { interval: 20, unit: null },
    });

    // A direct method: a live message command for the feature, the app's answer goes back as the method response.
    iothub.invoke('meter.reset', '42', { to: 0 });
    const command = () => app.got.find((e) => e.topic === 'command//demo:device/req/azure-method-42/reset');
    await waitFor(() => command(), 10_000, 'the method as a local command');
    assert.deepEqual(command()!.env, {
      topic: 'demo/device/things/live/messages/reset',
      headers: { 'correlation-id': 'azure-method-42', 'response-required': true, 'content-type': 'application/json', timeout: '300s' },
      path: '/features/meter/inbox/messages/reset',
      value: { to: 0 },
    });
    const answer = { topic: 'demo/device/things/live/messages/reset', headers: { 'correlation-id': 'azure-method-42', 'content-type': 'application/json' }, path: '/features/meter/outbox/messages/reset', status: 200, value: { done: true } };
    await app.client.publishAsync('command///res/azure-method-42/200', JSON.stringify(answer), { qos: 1 });
    await waitFor(() => iothub.methodResponses.length === 1, 10_000, 'the method response at the hub');
    assert.deepEqual(iothub.methodResponses, [{ topic: '$iothub/methods/res/200/?$rid=42', body: { done: true } }]);

    // Reported properties: a local modify becomes a reported patch; keys the hub had and the modify
    // lacks are sent as null (known from the GET response, then from the connector's own patches).
    // (The connector's own Health feature is reported too: docs/mqtt-api.md "Health".)
    const meterPatches = () => iothub.patches.filter((p) => 'meter' in p.body);
    await app.modify('/features/meter/properties', { unit: 'W', value: 1 });
    await waitFor(() => meterPatches().length === 1, 10_000, 'first reported patch');
    await app.modify('/features/meter/properties', { unit: 'kW' });
    await waitFor(() => meterPatches().length === 2, 10_000, 'second reported patch');
    assert.deepEqual(meterPatches().map((p) => p.body), [{ meter: { unit: 'W', value: 1, stale: null } }, { meter: { unit: 'kW', value: null } }]);
    assert.deepEqual(iothub.doc.reported['meter'], { unit: 'kW' });
    assert.notEqual(meterPatches()[0]!.rid, meterPatches()[1]!.rid);
    // Kanto-compatible back ends still get the twin command as a D2C message.
    await waitFor(() => iothub.d2c.filter((p) => p.includes('"/features/meter/properties"')).length === 2, 10_000, 'the D2C messages');

    // The hub's answers are consumed by the mapping, never logged as drops.
    const drops = c.logs.filter((l) => l['msg'] === 'cloud message not routable locally; dropped');
    assert.ok(drops.every((l) => !String(l['topic']).startsWith('$iothub/')), JSON.stringify(drops));
  });
});
