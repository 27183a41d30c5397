// Command round trip through the connector bundle: cloud → local in long and short form (gateway and
// sub-device), responses up only with a known, unexpired correlation-id (§2.1.5), identity on request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { startCloudBroker, startMosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';

const envelope = (correlationId: string, timeout?: string, status?: number) =>
  JSON.stringify({
    topic: 'demo/device/things/live/messages/install',
    headers: { 'correlation-id': correlationId, 'response-required': true, ...(timeout === undefined ? {} : { timeout }) },
    path: status === undefined ? '/features/SoftwareUpdatable/inbox/messages/install' : '/features/SoftwareUpdatable/outbox/messages/install',
    ...(status === undefined ? { value: {} } : { status }),
  });

// The local bus: the Ledge broker bundle (its `+` matches the empty device level of `command///res/…` for
// the connector's persistent QoS 1 session, [MQTT-4.7.1-3]) and Mosquitto with the §7 log snippet
// (Kanto's own set-up); both publish the $SYS log lines of §2.1.6.
const localBuses: [string, (t: TestContextLike) => Promise<{ port: number }>][] = [
  ['Ledge broker', (t) => startLedgeBroker(t)],
  ['Mosquitto', (t) => startMosquitto(t, { extraConfig: 'log_dest topic\nlog_type subscribe\nlog_type unsubscribe\nlog_type notice\n' })],
];

describe('connector: commands and responses', { timeout: 60_000 }, () => {
  for (const [busName, startBus] of localBuses) it(`forwards commands in both forms and gates responses with the correlation cache (local bus: ${busName})`, async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startBus(t);
    const app = await connectAsync(`mqtt://127.0.0.1:${local.port}`, { reconnectPeriod: 200 });
    t.after(() => app.endAsync(true));
    const localGot: string[] = [];
    const arrivedAt = new Map<string, number>();
    const identities: string[] = [];
    let connected = false;
    app.on('message', (topic, payload) => {
      if (topic === 'edge/thing/response') identities.push(payload.toString());
      else if (topic === 'edge/connection/remote/status') connected = (JSON.parse(payload.toString() || '{}') as { connected?: boolean }).connected === true;
      else {
        localGot.push(topic);
        arrivedAt.set(topic, Date.now());
      }
    });
    await app.subscribeAsync(['command///req/#', 'c///q/#', 'edge/thing/response', 'edge/connection/remote/status'], { qos: 1 });

    const northbound = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, reconnectPeriod: 200 });
    t.after(() => northbound.endAsync(true));
    const cloudGot: { topic: string; payload: string }[] = [];
    northbound.on('message', (topic, payload) => cloudGot.push({ topic, payload: payload.toString() }));
    await northbound.subscribeAsync('command//+/res/#', { qos: 1 });

    const dir = createTempDir(t);
    const c = spawnConnector(t, {
      address: `mqtt://127.0.0.1:${cloud.plainPort}`, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw', policyId: 'demo:policy',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    });
    await waitFor(() => connected, 15_000, 'connected');
    // Subscribed while the connector runs, so it sees the live $SYS log line (§2.1.6) on both buses; only
    // the Ledge broker also replays subscriptions made before (the test below).
    await app.subscribeAsync(['command//demo:device:edge:containers/req/#', 'c//demo:device:edge:containers/q/#'], { qos: 1 });
    await waitFor(() => identities.length > 0, 5_000, 'identity after connect');
    assert.deepEqual(JSON.parse(identities[0]!), { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:policy' });
    await app.publishAsync('edge/thing/request', '', { qos: 0 });
    await waitFor(() => identities.length > 1, 5_000, 'identity on request');

    // §2.1.6: the sub-device subscription seen in Mosquitto's $SYS log is forwarded to the cloud.
    await c.waitForLog((l) => l['msg'] === 'sub-device command subscriptions changed' && JSON.stringify(l['added']) === '["command//demo:device:edge:containers/req/#"]');
    await northbound.publishAsync('command///req/r-1/install', envelope('corr-1', '10s'), { qos: 1 });
    await northbound.publishAsync('command//demo:device:edge:containers/req/r-2/create', envelope('corr-2'), { qos: 1 });
    await northbound.publishAsync('command///req/r-3/install', envelope('corr-late', '100ms'), { qos: 1 });
    await waitFor(() => localGot.length >= 6, 10_000, 'six local command copies');
    assert.deepEqual([...localGot].sort(), [
      'c///q/r-1/install', 'c///q/r-3/install', 'c//demo:device:edge:containers/q/r-2/create',
      'command///req/r-1/install', 'command///req/r-3/install', 'command//demo:device:edge:containers/req/r-2/create',
    ]);

    await app.publishAsync('command///res/r-1/204', envelope('corr-1', undefined, 204), { qos: 1 });
    await app.publishAsync('c//demo:device:edge:containers/s/r-2/200', envelope('corr-2', undefined, 200), { qos: 1 });
    await app.publishAsync('command///res/r-9/200', envelope('unknown', undefined, 200), { qos: 1 });
    await app.publishAsync('command///res/r-1/204', envelope('corr-1', undefined, 204), { qos: 1 }); // second answer: not forwarded
    await waitFor(() => cloudGot.length >= 2, 10_000, 'two responses at the cloud');
    // The late one: its cache entry (100 ms + 5 s grace) has expired. The expiry has no effect to watch
    // until the answer comes; the connector cached corr-late before it published r-3 locally, so the entry
    // has expired for sure once 5.1 s have passed since r-3 arrived here.
    const expired = arrivedAt.get('c///q/r-3/install')! + 100 + 5_000;
    await waitFor(() => Date.now() > expired + 50, 10_000, 'the cache entry of corr-late to expire');
    await app.publishAsync('command///res/r-3/204', envelope('corr-late', undefined, 204), { qos: 1 });
    // Its drop, logged where the connector refuses it, is the third: nothing more went up after it.
    await waitFor(() => c.logs.filter((l) => l['msg'] === 'unknown or late command response dropped').length === 3, 3_000, 'three drops logged');
    assert.deepEqual(cloudGot.map((m) => m.topic).sort(), ['command///res/r-1/204', 'command//demo:device:edge:containers/res/r-2/200']);
    assert.equal((JSON.parse(cloudGot.find((m) => m.topic === 'command///res/r-1/204')!.payload) as { status: number }).status, 204);
  });
});

describe('connector: sub-device subscriptions made before it started (Ledge broker)', { timeout: 60_000 }, () => {
  it('learns them from the broker\'s replay at start and again after a SIGKILL, and forwards the sub-device\'s commands', async (t) => {
    const cloud = await startCloudBroker(t);
    const local = await startLedgeBroker(t);
    // container management's part: subscribed to its sub-device's commands before any connector runs
    const cm = await connectAsync(`mqtt://127.0.0.1:${local.port}`, { clientId: 'cm-early', reconnectPeriod: 200 });
    t.after(() => cm.endAsync(true));
    const got: string[] = [];
    cm.on('message', (topic) => got.push(topic));
    await cm.subscribeAsync('command//demo:device:edge:containers/req/#', { qos: 1 });

    const northbound = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, reconnectPeriod: 200 });
    t.after(() => northbound.endAsync(true));
    const dir = createTempDir(t);
    const args = {
      address: `mqtt://127.0.0.1:${cloud.plainPort}`, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw', policyId: 'demo:policy',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`,
    };
    const learnt = (l: Record<string, unknown>) => l['msg'] === 'sub-device command subscriptions changed' && JSON.stringify(l['added']) === '["command//demo:device:edge:containers/req/#"]';
    for (const round of ['first start', 'after SIGKILL']) {
      const c = spawnConnector(t, args);
      await c.waitForLog(learnt, 15_000);
      // The cloud subscription follows the cloud link's connect; Hono's sessions are clean, so the command
      // is sent again (every 500 ms) until one arrives.
      const id = `r-${round.replace(/\W/g, '')}`;
      let sentAt = 0;
      await waitFor(async () => {
        if (got.some((topic) => topic.includes(`/req/${id}/`))) return true;
        if (Date.now() - sentAt >= 500) {
          sentAt = Date.now();
          await northbound.publishAsync(`command//demo:device:edge:containers/req/${id}/create`, envelope(`corr-${id}`), { qos: 1 });
        }
        return false;
      }, 15_000, `the sub-device's command at container management (${round})`);
      await c.kill('SIGKILL');
    }
  });
});
