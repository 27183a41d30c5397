// The connector's link status reaches a local app live, in both `ledge run` modes: an app subscribed to
// edge/connection/remote/status while the cloud is down sees the retained "not connected", then, once the
// cloud is back, "connected" as it happens; and again after the connector's process is restarted. The same
// as the packaged units run it (the broker's and the connector's own bundles, accounts from a password file,
// the connector's session declared, a first connector without cloud settings replaced by one with them):
// a broker change that held QoS 1 PUBACKs by publishing inside authorizePublish lost that live delivery
// while every retained read still looked right (found by the QEMU connector-cloud scenario).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectorDurableSession } from '@ledge/connector/model-connector';
import { connectAsync } from 'mqtt';
import { connectorCloudEnv, findMosquitto, freePort, startCloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';

const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);
const STATUS = 'edge/connection/remote/status';

for (const mode of ['all-in-one', 'processes'] as const) {
  describe(`live link status, ledge run ${mode === 'processes' ? '--processes' : '(all-in-one)'}`, { skip, timeout: 90_000 }, () => {
    it('an app subscribed while the cloud is down sees "connected" live when it comes back, and after the connector restarts', async (t) => {
      const cloud = await startCloudBroker(t);
      await cloud.stop('SIGTERM');
      const port = await freePort();
      const env = { ...connectorCloudEnv(cloud), LEDGE_BROKER_PORT: String(port), LEDGE_CONNECTOR_BACKOFF_INITIAL: '0.2', LEDGE_CONNECTOR_BACKOFF_MAX: '0.5' };
      const args = ['run', '--apps', 'broker,connector', ...(mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', createTempDir(t, 'ledge-status-')];
      const ledge = spawnNode(t, bundlePath('ledge'), { args, env });
      const app = await waitFor(() => connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'status-app', reconnectPeriod: 0 }).catch(() => undefined), 30_000, 'the broker');
      t.after(() => app.endAsync(true));
      const seen: { connected: boolean; retain: boolean }[] = [];
      app.on('message', (topic, payload, packet) => {
        if (topic === STATUS) seen.push({ connected: (JSON.parse(payload.toString()) as { connected: boolean }).connected, retain: packet.retain });
      });
      await app.subscribeAsync(STATUS, { qos: 1 });
      await waitFor(() => seen.some((s) => !s.connected), 30_000, 'a "not connected" status while the cloud is down');
      await cloud.start();
      await waitFor(() => seen.some((s) => s.connected && !s.retain), 30_000, 'a live "connected" status once the cloud is back');

      // The connector restarts (its process under --processes, the whole stack otherwise): live again.
      const before = seen.length;
      if (mode === 'processes') {
        const pid = Number(ledge.logs.findLast((l) => l['name'] === 'connector' && typeof l['pid'] === 'number')!['pid']);
        process.kill(pid, 'SIGTERM');
        await waitFor(() => seen.slice(before).some((s) => !s.connected), 30_000, 'the connector\'s "not connected" as it stops');
        await waitFor(() => seen.slice(before).some((s) => s.connected && !s.retain), 30_000, 'a live "connected" from the restarted connector');
      } else {
        assert.equal(seen.at(-1)?.connected, true);
      }
    });
  });
}

describe('live link status, per-app processes as the packages run them', { skip, timeout: 90_000 }, () => {
  it('an app subscribed before the connector is given its cloud sees "connected" live', async (t) => {
    const cloud = await startCloudBroker(t);
    const dir = createTempDir(t, 'ledge-units-');
    const port = await freePort();
    writeFileSync(join(dir, 'empty.json'), '{}');
    writeFileSync(join(dir, 'connector.password'), 'connector-pw\n');
    writeFileSync(join(dir, 'broker.passwd'), `ledge-connector:sha256:${createHash('sha256').update('connector-pw').digest('hex')}\n`);
    const noFiles = { LEDGE_LOCAL_BUS_CONFIG: join(dir, 'empty.json') };
    spawnNode(t, bundlePath('broker'), {
      env: {
        ...noFiles,
        LEDGE_BROKER_CONFIG: join(dir, 'empty.json'),
        LEDGE_BROKER_PORT: String(port),
        LEDGE_BROKER_DATA_DIR: join(dir, 'broker'),
        LEDGE_BROKER_PASSWORD_FILE: join(dir, 'broker.passwd'),
        LEDGE_BROKER_DURABLE_SESSIONS: JSON.stringify([connectorDurableSession()]),
      },
    });
    const connectorEnv = {
      ...noFiles,
      LEDGE_CONNECTOR_CONFIG: join(dir, 'empty.json'),
      LEDGE_CONNECTOR_LOCAL_ADDRESS: `tcp://127.0.0.1:${port}`,
      LEDGE_CONNECTOR_LOCAL_USERNAME: 'ledge-connector',
      LEDGE_CONNECTOR_LOCAL_PASSWORD_FILE: join(dir, 'connector.password'),
      LEDGE_CONNECTOR_DATA_DIR: join(dir, 'connector'),
      LEDGE_CONNECTOR_PROVISIONING_FILE: '/nonexistent/provisioning.json',
    };
    // As installed: no cloud settings yet (PROVISIONING_MISSING), then stopped by the admin.
    const first = spawnNode(t, bundlePath('connector'), { env: connectorEnv });
    await first.waitForLog((l) => l['msg'] === 'connected' && l['component'] === 'local-bus', 30_000);
    await first.kill('SIGTERM');
    const app = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'status-app', reconnectPeriod: 0 });
    t.after(() => app.endAsync(true));
    const seen: { connected: boolean; retain: boolean }[] = [];
    app.on('message', (topic, payload, packet) => {
      if (topic === STATUS) seen.push({ connected: (JSON.parse(payload.toString()) as { connected: boolean }).connected, retain: packet.retain });
    });
    await app.subscribeAsync([STATUS, 'edge/thing/response'], { qos: 1 });
    await waitFor(() => seen.some((s) => !s.connected && s.retain), 10_000, 'the stopped connector\'s retained status');
    // The admin configures the cloud and starts it again.
    spawnNode(t, bundlePath('connector'), {
      env: { ...connectorEnv, ...connectorCloudEnv(cloud), LEDGE_CONNECTOR_PROVISIONING_FILE: connectorEnv.LEDGE_CONNECTOR_PROVISIONING_FILE },
    });
    await waitFor(() => seen.some((s) => s.connected && !s.retain), 30_000, 'a live "connected" status');
  });
});
