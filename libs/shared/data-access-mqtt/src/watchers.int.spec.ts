// Identity discovery and remote status against a real Mosquitto, with a test responder standing in for
// the connector (spec §1.1).
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { connect as mqttConnect } from 'mqtt';
import { captureLogger, expectNothingFor, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import { createConnectionStatusWatcher } from './connection-status-watcher';
import { createIdentityWatcher, type IdentityChange } from './identity-watcher';
import { createLocalBusClient } from './local-bus-client';
import { findMosquitto, startMosquitto, type Mosquitto } from './testing/mosquitto';
import type { ConnectionStatus as RemoteConnectionStatus } from '@ledge/shared/model-edge';

const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);

describe('watchers against Mosquitto', { skip }, () => {
  const cleanups: (() => unknown)[] = [];
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto({ after: (fn) => void cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const started = async (t: TestContext, clientId?: string) => {
    const c = createLocalBusClient({ url: broker.url, ...(clientId ? { clientId } : {}) });
    t.after(() => c.close());
    await c.start();
    await c.waitForConnection();
    return c;
  };

  it('discovers the identity: retries until a connector answers, follows changes, ignores garbage', async (t) => {
    const log = captureLogger('it', 'debug');
    const app = await started(t, 'software-update');
    const watcher = createIdentityWatcher({ client: app, logger: log.logger, requestIntervalMs: 100 });
    t.after(() => watcher.close());
    const changes: IdentityChange[] = [];
    watcher.on('identityChanged', (c) => void changes.push(c));

    // A spy on the request topic; no connector yet.
    const spy = await started(t);
    let requests = 0;
    spy.onMessage('edge/thing/request', () => void requests++);
    await spy.subscribe('edge/thing/request');
    await watcher.start();
    await waitFor(() => requests >= 3, 5_000, 'repeated identity requests');
    assert.equal(watcher.current, undefined);

    // The connector comes up and answers every request (as suite-connector does).
    const connector = await started(t, 'connector');
    let identity = '{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}';
    connector.onMessage('edge/thing/request', () => connector.publish('edge/thing/response', identity));
    await connector.subscribe('edge/thing/request', { qos: 1 });
    assert.deepEqual(await watcher.identity(), { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' });
    const settled = requests;
    // Three request intervals (100 ms): one request may have been on its way when the answer came.
    await expectNothingFor(300, () => requests > settled + 1 && `${requests - settled} requests`, 'identity requests after the answer');
    assert.ok(requests <= settled + 1, 'stops asking once answered');

    // Garbage on the response topic changes nothing.
    await connector.publish('edge/thing/response', '{"deviceId":"no-namespace"}', { qos: 1 });
    await connector.publish('edge/thing/response', 'garbage', { qos: 1 });
    await waitFor(() => log.lines.filter((l) => l['msg'] === 'invalid identity payload ignored').length === 2, 5_000, 'garbage logged');
    assert.deepEqual(changes, []);

    // Re-provisioned: the connector re-announces unsolicited.
    identity = '{"deviceId":"demo:gateway-2","tenantId":"demo"}';
    await connector.publish('edge/thing/response', identity);
    await waitFor(() => changes.length === 1, 5_000, 'identityChanged');
    assert.deepEqual(changes[0], {
      previous: { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' },
      current: { deviceId: 'demo:gateway-2', tenantId: 'demo' },
    });
  });

  it('reads the retained remote status and sees the connector Last Will when it dies', async (t) => {
    // A connector as Kanto's: retained QoS 1 status, Last Will on the same topic (§1.1).
    const connector = mqttConnect(broker.url, {
      clientId: 'connector-lwt',
      reconnectPeriod: 0,
      will: { topic: 'edge/connection/remote/status', payload: Buffer.from('{"connected":false,"cause":"CONNECTION_UNKNOWN"}'), qos: 1, retain: true },
    });
    t.after(() => connector.end(true));
    await new Promise((resolve, reject) => connector.once('connect', resolve).once('error', reject));
    await connector.publishAsync('edge/connection/remote/status', '{"connected":true,"timestamp":1745576998}', { qos: 1, retain: true });

    const app = await started(t);
    const watcher = createConnectionStatusWatcher({ client: app });
    t.after(() => watcher.close());
    const seen: RemoteConnectionStatus[] = [];
    watcher.on('status', (s) => void seen.push(s));
    await watcher.start();
    await waitFor(() => watcher.current, 5_000, 'retained status');
    assert.deepEqual(watcher.current, { connected: true, timestamp: 1745576998 });
    assert.equal(watcher.remoteConnected, true);

    connector.stream.destroy(); // the connector crashes: no DISCONNECT, the broker publishes the will
    await waitFor(() => watcher.current?.connected === false, 5_000, 'Last Will');
    assert.deepEqual(watcher.current, { connected: false, cause: 'CONNECTION_UNKNOWN' });
    assert.equal(seen.length, 2);

    // Clean up the retained message for other tests on this broker.
    await app.publish('edge/connection/remote/status', '', { qos: 1, retain: true });
  });
});
