// No boot race (issue 17): on a fresh data directory, a local app publishes 5,000 QoS 1 events from the
// moment the broker accepts it, before the connector has connected and subscribed, with the cloud down.
// The broker creates the connector's session (declared by `ledge run`) before it opens its listeners,
// so the first events are queued for the connector instead of matching nothing: once the cloud is back,
// every acknowledged event arrives there. Both `ledge run` modes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connect, connectAsync, type MqttClient } from 'mqtt';
import { findMosquitto, freePort, startCloudBroker, type CloudBroker } from '@ledge/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/util/testing';

const TOTAL = 5_000;
const WINDOW = 64;
const skip = findMosquitto() || process.env['CI'] === 'true' ? false : 'needs mosquitto';

/** A persistent cloud subscriber counting events by number; the cloud is then stopped (it keeps the session). */
async function cloudDownWithObserver(t: TestContext): Promise<{ cloud: CloudBroker; received: Map<number, number> }> {
  const cloud = await startCloudBroker(t);
  const received = new Map<number, number>();
  const observer = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'observer', clean: false, reconnectPeriod: 300 });
  t.after(() => observer.endAsync(true));
  observer.on('message', (_topic, payload) => {
    const n = (JSON.parse(payload.toString()) as { value: { n: number } }).value.n;
    received.set(n, (received.get(n) ?? 0) + 1);
  });
  await observer.subscribeAsync('event/#', { qos: 1 });
  await cloud.stop('SIGTERM');
  return { cloud, received };
}

/** Publishes 0..TOTAL-1 with at most WINDOW unacknowledged; `acked` grows as PUBACKs arrive. */
async function publishAll(client: MqttClient, acked: Set<number>): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < TOTAL) {
      const n = next++;
      const env = { topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/attributes/n', value: { n } };
      await client.publishAsync('e', JSON.stringify(env), { qos: 1 });
      acked.add(n);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, one));
}

const stackEnv = (cloud: CloudBroker, port: number): Record<string, string> => ({
  LEDGE_BROKER_PORT: String(port),
  LEDGE_CONNECTOR_ADDRESS: `mqtt://127.0.0.1:${cloud.plainPort}`,
  LEDGE_CONNECTOR_DEVICE_ID: 'demo:device',
  LEDGE_CONNECTOR_TENANT_ID: 'demo',
  LEDGE_CONNECTOR_AUTH_ID: 'demo-auth',
  LEDGE_CONNECTOR_PASSWORD: 'device-pw',
  LEDGE_CONNECTOR_PROVISIONING_FILE: '/nonexistent/provisioning.json',
  LEDGE_CONNECTOR_REPLAY_RATE: '0',
  LEDGE_CONNECTOR_BACKOFF_INITIAL: '0.2',
  LEDGE_CONNECTOR_BACKOFF_MAX: '1',
});

for (const mode of ['all-in-one', 'processes'] as const) {
  describe(`no boot race, ledge run ${mode === 'processes' ? '--processes' : '(all-in-one)'}`, { skip, timeout: 120_000 }, () => {
    it(`${TOTAL} QoS 1 events published from the first moment, on a fresh data directory, all reach the cloud`, async (t) => {
      const { cloud, received } = await cloudDownWithObserver(t);
      const port = await freePort();
      const args = ['run', '--apps', 'broker,connector', ...(mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', createTempDir(t, 'ledge-boot-')];
      const ledge = spawnNode(t, bundlePath('ledge'), { args, env: stackEnv(cloud, port) });
      // No warm-up: the app dials at once and publishes as soon as the broker accepts it.
      const app = connect(`mqtt://127.0.0.1:${port}`, { clientId: 'app', reconnectPeriod: 20, connectTimeout: 5000 });
      t.after(() => app.endAsync(true));
      await new Promise((resolve) => app.once('connect', resolve));
      const declared = ledge.logs.find((l) => l['msg'] === 'durable sessions declared');
      assert.deepEqual(declared?.['sessions'], ['ledge-connector'], 'the session exists before the listener opened');
      const connectorUp = () => ledge.logs.find((l) => l['msg'] === 'connected' && l['component'] === 'local-bus' && l['clientId'] === 'ledge-connector');
      const acked = new Set<number>();
      await publishAll(app, acked);
      t.diagnostic(`the connector came onto the bus ${connectorUp() === undefined ? 'after' : 'during'} the publishing`);
      await waitFor(connectorUp, 30_000, 'the connector on the bus');
      await cloud.start();
      await waitFor(() => [...acked].every((n) => received.has(n)), 60_000, 'every acknowledged event at the cloud').catch((err: unknown) => {
        const missing = [...acked].filter((n) => !received.has(n)).sort((a, b) => a - b);
        const dump = join(tmpdir(), `ledge-boot-race-${mode}-${Date.now()}.jsonl`);
        writeFileSync(dump, ledge.logs.map((l) => JSON.stringify(l)).join('\n'));
        throw new Error(`${String(err)}: ${missing.length} of ${acked.size} missing, first ${missing.slice(0, 10).join(',')}; logs in ${dump}`);
      });
      assert.equal(acked.size, TOTAL);
    });
  });
}
