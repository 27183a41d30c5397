// The connector bundle against a real Mosquitto "cloud" over TLS: password and client-certificate
// auth, a server certificate from the wrong CA, a wrong password (status and the retry limit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { createTempDir, expectNothingFor, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { startCloudBroker, type CloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';

async function statusWatcher(t: TestContextLike, port: number): Promise<{ statuses: Record<string, unknown>[]; client: MqttClient }> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const statuses: Record<string, unknown>[] = [];
  client.on('message', (topic, payload) => {
    if (topic === 'edge/connection/remote/status' && payload.length > 0) statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync('edge/connection/remote/status', { qos: 1 });
  return { statuses, client };
}

async function observer(t: TestContextLike, cloud: CloudBroker, filter: string): Promise<string[]> {
  const c = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, reconnectPeriod: 200 });
  t.after(() => c.endAsync(true));
  const got: string[] = [];
  c.on('message', (topic) => got.push(topic));
  await c.subscribeAsync(filter, { qos: 1 });
  return got;
}

describe('connector ↔ TLS cloud (Mosquitto)', { timeout: 60_000 }, () => {
  it('password auth over TLS: connected status, identity, an event reaches the cloud', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    const { statuses, client } = await statusWatcher(t, local.port);
    const got = await observer(t, cloud, 'event/#');
    const dir = createTempDir(t);
    spawnConnector(t, {
      address: `mqtts://127.0.0.1:${cloud.tlsPort}`, caCert: cloud.pki.ca, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    });
    await waitFor(() => statuses.some((s) => s['connected'] === true), 15_000, 'connected status');
    await client.publishAsync('e', JSON.stringify({ topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/attributes/a', value: 1 }), { qos: 1 });
    await waitFor(() => got.includes('event/demo/demo:device'), 10_000, 'event at the cloud');
  });

  it('client-certificate auth (require_certificate, use_identity_as_username)', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    const { statuses } = await statusWatcher(t, local.port);
    const dir = createTempDir(t);
    const c = spawnConnector(t, {
      address: `tls://127.0.0.1:${cloud.certPort}`, caCert: cloud.pki.ca, cert: cloud.pki.clientCert, key: cloud.pki.clientKey, deviceId: 'demo:device', tenantId: 'demo',
      password: 'ignored-with-cert', localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    });
    await waitFor(() => statuses.some((s) => s['connected'] === true), 15_000, 'connected status');
    assert.ok(c.logs.some((l) => l['msg'] === 'connecting to the cloud' && l['certAuth'] === true));
  });

  it('a server certificate from another CA is refused: CONNECTION_ERROR, never connected', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    const { statuses } = await statusWatcher(t, local.port);
    const dir = createTempDir(t);
    const c = spawnConnector(t, {
      address: `mqtts://127.0.0.1:${cloud.tlsPort}`, caCert: cloud.pki.otherCa, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    });
    await waitFor(() => statuses.some((s) => s['cause'] === 'CONNECTION_ERROR'), 15_000, 'CONNECTION_ERROR status');
    await waitFor(() => c.logs.filter((l) => l['msg'] === 'cloud connection attempt failed').length >= 2, 10_000, 'two failed attempts');
    assert.ok(!statuses.some((s) => s['connected'] === true));
    const failure = c.logs.find((l) => l['msg'] === 'cloud connection attempt failed') as { err?: { code?: string; details?: { errno?: string } } };
    assert.equal(failure.err?.code, 'LEDGE_CONNECTOR_CLOUD_CONNECTION_FAILED');
  });

  it('a wrong password: CONNECTION_NOT_AUTHENTICATED, gives up after authErrorRetries', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    const { statuses } = await statusWatcher(t, local.port);
    const dir = createTempDir(t);
    const c = spawnConnector(t, {
      address: `mqtts://127.0.0.1:${cloud.tlsPort}`, caCert: cloud.pki.ca, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'wrong',
      authErrorRetries: 3, localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    });
    await c.waitForLog((l) => l['msg'] === 'giving up on the cloud connection', 20_000);
    await waitFor(() => statuses.at(-1)?.['cause'] === 'CONNECTION_NOT_AUTHENTICATED', 5_000, 'NOT_AUTHENTICATED status');
    // Nothing follows giving up: no further attempt within longer than the longest backoff (backoffMax 1 s + 25 % jitter).
    const attempts = () => c.logs.filter((l) => l['msg'] === 'connecting' && l['component'] === 'cloud-mqtt').length;
    const settled = attempts();
    assert.equal(settled, 3, 'a "connecting" line per attempt (what the window watches)');
    await expectNothingFor(1500, () => attempts() > settled, 'a cloud connection attempt after giving up');
    assert.equal(c.logs.filter((l) => l['msg'] === 'cloud connection attempt failed').length, 3, 'exactly authErrorRetries attempts');
    assert.ok(!statuses.some((s) => s['connected'] === true));
  });
});
