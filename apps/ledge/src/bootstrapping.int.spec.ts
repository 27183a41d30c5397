// Issue 19's bootstrapping through the stack: `ledge run` with the broker and the connector, no
// provisioning yet (the connector reports PROVISIONING_MISSING); the ledge-bootstrapping bundle, as the
// bootstrap identity, gets the real provisioning from a backend stand-in at the Mosquitto "cloud" and
// writes the connector's provisioning file; the connector picks it up and connects as that device.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { findMosquitto, freePort, startCloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';

const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);

describe('bootstrapping hands the connector its identity', { skip, timeout: 120_000 }, () => {
  it('the connector waits without provisioning; ledge-bootstrapping writes it (exit 0); the connector connects as that device; a refused new provisioning is undone', async (t) => {
    const dev = createTempDir(t, 'ledge-bootstrap-stack-');
    writeFileSync(join(dev, 'empty.json'), '{}');
    const cloud = await startCloudBroker(t);
    const provisioning = join(dev, 'provisioning.json');
    const port = await freePort();
    // The backend: answers each bootstrapping request with the device's real provisioning.
    const realProvisioning = JSON.stringify({
      hub: { credentials: { deviceId: 'demo:device', tenantId: 'demo', type: 'hashed-password', authId: cloud.users.device.username.split('@')[0], secrets: [{ password: cloud.users.device.password }], adapters: [{ type: 'mqtt', uri: 'mqtt://127.0.0.1', port: cloud.plainPort }] } },
    });
    const backend = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'backend', reconnectPeriod: 0 });
    t.after(() => backend.endAsync(true));
    const events: { path?: string; topic?: string }[] = [];
    backend.on('message', (_topic, payload) => {
      const env = JSON.parse(payload.toString()) as { path?: string; value?: { requestId?: string } };
      events.push(env);
      if (env.path !== '/features/Bootstrapping/outbox/messages/request') return;
      const value = { requestId: env.value!.requestId, hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', provisioning: realProvisioning };
      void backend.publishAsync('command///req/bs-1/response', JSON.stringify({ topic: 'demo/device/things/live/messages/response', headers: { 'correlation-id': 'bs-1' }, path: '/features/Bootstrapping/inbox/messages/response', value }), { qos: 1 });
    });
    await backend.subscribeAsync('event/#', { qos: 1 });

    const env = { LEDGE_LOCAL_BUS_CONFIG: join(dev, 'empty.json'), LEDGE_BROKER_PORT: String(port), LEDGE_CONNECTOR_PROVISIONING_FILE: provisioning, LEDGE_CONNECTOR_PROVISIONING_DEBOUNCE: '0', LEDGE_CONNECTOR_BACKOFF_INITIAL: '0.2', LEDGE_CONNECTOR_BACKOFF_MAX: '0.5' };
    const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'broker,connector', '--dev', '--dev-dir', dev], env });
    await ledge.waitForLog((l) => l['msg'] === 'not connecting to the cloud' && l['cause'] === 'PROVISIONING_MISSING', 30_000);
    const local = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'watcher', reconnectPeriod: 0 });
    t.after(() => local.endAsync(true));
    // Every status seen, in order: the fall-back below may pass through `false` and back within one poll.
    const seen: { connected?: boolean; cause?: string }[] = [];
    let status: { connected?: boolean; cause?: string } = {};
    local.on('message', (_t, p) => {
      status = JSON.parse(p.toString()) as typeof status;
      seen.push(status);
    });
    await local.subscribeAsync('edge/connection/remote/status', { qos: 1 });
    await waitFor(() => status.cause === 'PROVISIONING_MISSING', 10_000, 'PROVISIONING_MISSING on the bus');

    const boot = spawnNode(t, bundlePath('bootstrapping'), {
      args: ['--config', join(dev, 'empty.json')],
      env: {
        LEDGE_BOOTSTRAPPING_ADDRESS: `tcp://127.0.0.1:${cloud.plainPort}`,
        LEDGE_BOOTSTRAPPING_DEVICE_ID: 'demo:device',
        LEDGE_BOOTSTRAPPING_TENANT_ID: 'demo',
        LEDGE_BOOTSTRAPPING_AUTH_ID: cloud.users.device.username.split('@')[0]!,
        LEDGE_BOOTSTRAPPING_PASSWORD: cloud.users.device.password,
        LEDGE_BOOTSTRAPPING_PROVISIONING_FILE: join(dev, 'no-bootstrap-provisioning.json'),
        LEDGE_BOOTSTRAPPING_BOOTSTRAP_PROVISIONING_FILE: provisioning,
      },
    });
    assert.equal(await boot.exited, 0, 'ledge-bootstrapping exits 0 when done');
    assert.ok(events.some((e) => e.path === '/features/Bootstrapping'), 'the Bootstrapping feature written at the cloud');
    assert.equal(readFileSync(provisioning, 'utf8'), realProvisioning);
    assert.equal(statSync(provisioning).mode & 0o777, 0o600);
    await waitFor(() => status.connected === true, 30_000, 'the connector connected with the new identity');
    await ledge.waitForLog((l) => l['msg'] === 'connecting to the cloud' && l['deviceId'] === 'demo:device', 5_000);

    // Beyond Kanto: a new provisioning the cloud refuses, written as bootstrapping writes one (the working
    // one kept as .previous), is undone: the connector goes back to the previous one and connects again.
    writeFileSync(`${provisioning}.previous`, readFileSync(provisioning));
    const mark = seen.length;
    writeFileSync(provisioning, realProvisioning.replace(cloud.users.device.password, 'wrong-password'));
    await ledge.waitForLog((l) => l['msg'] === 'the cloud refuses the new provisioning: going back to the previous one', 60_000);
    const down = await waitFor(() => seen.findIndex((st, i) => i >= mark && st.connected === false) + 1 || undefined, 30_000, 'the link down for the new provisioning');
    await waitFor(() => seen.slice(down).some((st) => st.connected === true), 60_000, 'connected again with the previous provisioning');
    assert.equal(readFileSync(provisioning, 'utf8'), realProvisioning, 'the previous provisioning is back');
  });
});
