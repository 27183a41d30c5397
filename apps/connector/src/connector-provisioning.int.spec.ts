// provisioning.json (§2.1.2) through the connector bundle: idle with PROVISIONING_MISSING when there is
// nothing to connect to (how `npm start` runs it), a written file connects, a changed one reconnects
// with the new credentials and announces the new identity, garbage gives PROVISIONING_ERROR, removal
// PROVISIONING_MISSING; the process never exits. Short debounce (`provisioningDebounce`) for tests.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, expectNothingFor, waitFor } from '@ledge/shared/util/testing';
import { startCloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';

const provisioning = (deviceId: string, password: string, port: number) =>
  JSON.stringify({
    id: deviceId,
    hub: {
      credentials: {
        tenantId: 'demo', type: 'hashed-password', enabled: true, deviceId, authId: 'demo-auth',
        secrets: [{ passwordBase64: Buffer.from(password).toString('base64') }],
        adapters: [{ type: 'mqtt', uri: 'mqtt://127.0.0.1', host: '127.0.0.1', port }],
      },
      device: { enabled: true, deviceId, authorities: ['auto-provisioning-enabled'] },
    },
    things: { thing: { thingId: deviceId, policyId: `${deviceId}-policy` } },
  });

describe('connector: provisioning.json watcher', { timeout: 90_000 }, () => {
  it('missing → idle; written → connects; changed → PROVISIONING_UPDATE, new credentials and identity; garbage → PROVISIONING_ERROR', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    const app = await connectAsync(`mqtt://127.0.0.1:${local.port}`, { reconnectPeriod: 200 });
    t.after(() => app.endAsync(true));
    const statuses: Record<string, unknown>[] = [];
    const identities: Record<string, unknown>[] = [];
    app.on('message', (topic, payload) => {
      if (topic === 'edge/connection/remote/status' && payload.length > 0) statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      if (topic === 'edge/thing/response') identities.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await app.subscribeAsync(['edge/connection/remote/status', 'edge/thing/response'], { qos: 1 });
    const northbound = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, reconnectPeriod: 200 });
    t.after(() => northbound.endAsync(true));
    const events: string[] = [];
    northbound.on('message', (topic) => events.push(topic));
    await northbound.subscribeAsync('event/#', { qos: 1 });

    const dir = createTempDir(t);
    const file = join(dir, 'provisioning.json');
    const c = spawnConnector(t, { localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: join(dir, 'data'), provisioningFile: file, provisioningDebounce: 0.2 });
    const last = () => statuses.at(-1) ?? {};
    const causeIs = (cause: string | undefined, what: string) =>
      waitFor(() => (cause === undefined ? last()['connected'] === true : last()['cause'] === cause), 15_000, what);

    await causeIs('PROVISIONING_MISSING', 'PROVISIONING_MISSING while there is no file');
    // Idle is the absence of events: no exit, no identity, for longer than the status took to come.
    await expectNothingFor(500, () => c.child.exitCode !== null || identities.length > 0, 'an exit or an identity announced while idle without provisioning');
    assert.equal(c.child.exitCode, null, 'idles without exiting');
    assert.equal(identities.length, 0, 'no identity to announce');

    writeFileSync(file, provisioning('demo:one', 'device-pw', cloud.plainPort));
    await causeIs(undefined, 'connected with the provisioned credentials and address');
    await waitFor(() => identities.some((i) => i['deviceId'] === 'demo:one'), 5_000, 'identity demo:one');
    assert.deepEqual(identities.at(-1), { deviceId: 'demo:one', tenantId: 'demo', policyId: 'demo:one-policy' });

    // A wrong password: the new credentials are really used.
    const seen = statuses.length;
    writeFileSync(file, provisioning('demo:two', 'wrong', cloud.plainPort));
    await causeIs('CONNECTION_NOT_AUTHENTICATED', 'refused with the new (wrong) password');
    assert.ok(statuses.slice(seen).some((s) => s['cause'] === 'PROVISIONING_UPDATE'), 'PROVISIONING_UPDATE before reconnecting');

    const seen2 = statuses.length;
    const ids = identities.length;
    writeFileSync(file, provisioning('demo:two', 'device-pw', cloud.plainPort));
    await causeIs(undefined, 'connected again');
    assert.ok(statuses.slice(seen2).some((s) => s['cause'] === 'PROVISIONING_UPDATE'));
    await waitFor(() => identities.slice(ids).some((i) => i['deviceId'] === 'demo:two'), 5_000, 'fresh identity demo:two');
    assert.deepEqual(identities.at(-1), { deviceId: 'demo:two', tenantId: 'demo', policyId: 'demo:two-policy' });
    await app.publishAsync('e', '{"x":1}', { qos: 1 });
    await waitFor(() => events.includes('event/demo/demo:two'), 10_000, 'events go up as the new device');

    writeFileSync(file, '{ not json');
    await causeIs('PROVISIONING_ERROR', 'PROVISIONING_ERROR for an unparsable file');
    assert.ok(c.logs.some((l) => l['msg'] === 'not connecting to the cloud' && (l['err'] as { code?: string } | undefined)?.code === 'LEDGE_CONNECTOR_PROVISIONING_INVALID'));

    rmSync(file);
    await causeIs('PROVISIONING_MISSING', 'PROVISIONING_MISSING after the file was removed');
    await expectNothingFor(300, () => c.child.exitCode !== null, 'an exit after the file was removed');
    assert.equal(c.child.exitCode, null, 'still running');
  });
});
