// Ledge's own connector bundle against the device side, as `ledge run --dev-cloud` wires them: the connector
// logs in as the gateway, a local app's Ditto event reaches onMessage, a command for the gateway reaches
// the local bus, and the app's response comes back as a command-response.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/shared/util/testing';
import { DEVICES, startAdapter } from './testing/adapter-fixture';

const gw = { tenant: DEVICES.gw.tenant, deviceId: DEVICES.gw.deviceId };

describe('device MQTT adapter with the connector bundle', { timeout: 60_000 }, () => {
  it('carries a local Ditto event up, a command down to the local bus and its response up', async (t) => {
    const dir = createTempDir(t, 'ledge-dev-cloud-mqtt-');
    const emptyShared = join(dir, 'local-bus.json');
    writeFileSync(emptyShared, '{}');
    const broker = spawnNode(t, bundlePath('broker'), { args: ['--persistence', 'memory'], env: { LEDGE_BROKER_PORT: '0', LEDGE_LOCAL_BUS_CONFIG: emptyShared } });
    const localPort = Number((await broker.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp'))['port']);
    const f = await startAdapter(t);

    const config = join(dir, 'connector.json');
    writeFileSync(config, JSON.stringify({
      address: `mqtt://127.0.0.1:${f.port}`, deviceId: DEVICES.gw.deviceId, tenantId: DEVICES.gw.tenant, authId: DEVICES.gw.authId, password: DEVICES.gw.password,
      backoffInitial: 0.2, backoffMax: 1, dataDir: join(dir, 'connector'), provisioningFile: join(dir, 'no-provisioning.json'),
    }));
    const connector = spawnNode(t, bundlePath('connector'), {
      env: { LEDGE_CONNECTOR_CONFIG: config, LEDGE_CONNECTOR_LOCAL_ADDRESS: `tcp://127.0.0.1:${localPort}`, LEDGE_LOCAL_BUS_CONFIG: emptyShared, LEDGE_CONNECTOR_LOG_LEVEL: 'debug' },
    });

    const app = await connectAsync(`mqtt://127.0.0.1:${localPort}`, { reconnectPeriod: 200 });
    t.after(() => app.endAsync(true));
    const local: { topic: string; payload: string }[] = [];
    let remote = false;
    app.on('message', (topic, payload) => {
      if (topic === 'edge/connection/remote/status') remote = (JSON.parse(payload.toString() || '{}') as { connected?: boolean }).connected === true;
      else local.push({ topic, payload: payload.toString() });
    });
    await app.subscribeAsync(['command///req/#', 'edge/connection/remote/status'], { qos: 1 });
    await waitFor(() => remote, 20_000, 'the connector connected to the device side');
    assert.deepEqual(f.adapter.connected(), [gw]);
    await waitFor(() => f.lines.some((l) => l['msg'] === 'command subscription granted' && l['deviceId'] === gw.deviceId), 10_000, 'the connector subscribed for commands');

    const event = { topic: 'demo/gw/things/twin/commands/modify', headers: { 'correlation-id': 'ev-1' }, path: '/features/Meter/properties/value', value: 42 };
    await app.publishAsync('e', JSON.stringify(event), { qos: 1 });
    // The connector publishes events of its own (its Health feature): find the app's by its correlation-id.
    const up = await waitFor(() => f.messages.find((m) => m.kind === 'event' && m.payload.includes('"ev-1"')), 10_000, 'the event at the device side');
    assert.deepEqual({ device: up.device, via: up.via, kind: up.kind }, { device: gw, via: gw, kind: 'event' });
    assert.deepEqual(JSON.parse(up.payload.toString()), event);

    const command = { topic: 'demo/gw/things/live/messages/install', headers: { 'correlation-id': 'c-1', 'response-required': true }, path: '/features/SoftwareUpdatable/inbox/messages/install', value: {} };
    assert.equal(await f.adapter.sendCommand({ device: gw, requestId: 'r-1', subject: 'install', payload: Buffer.from(JSON.stringify(command)) }), true);
    const down = await waitFor(() => local.find((m) => m.topic.startsWith('command///req/')), 10_000, 'the command on the local bus');
    assert.equal(down.topic, 'command///req/r-1/install');
    assert.deepEqual(JSON.parse(down.payload), command);

    const response = { topic: command.topic, headers: { 'correlation-id': 'c-1' }, path: '/features/SoftwareUpdatable/outbox/messages/install', status: 200, value: { ok: true } };
    await app.publishAsync('command///res/r-1/200', JSON.stringify(response), { qos: 1 });
    const back = await waitFor(() => f.messages.find((m) => m.kind === 'command-response'), 10_000, 'the response at the device side');
    assert.deepEqual({ device: back.device, via: back.via, requestId: back.requestId, status: back.status }, { device: gw, via: gw, requestId: 'r-1', status: 200 });
    assert.deepEqual(JSON.parse(back.payload.toString()), response);
    assert.equal(connector.child.exitCode, null, 'the connector still runs');
  });
});
