// Zero loss for the whole stack (issue 17), with the real bundles under `ledge run --apps broker,connector`
// in both modes, a Mosquitto playing the cloud, and a local app publishing QoS 1 events on `e` with at most
// WINDOW unacknowledged (MQTT.js resends what was not PUBACKed after a reconnect):
// - No boot race: on a fresh data directory the app publishes from the moment the broker accepts it, before
//   the connector has connected and subscribed. The broker creates the connector's session (declared by
//   `ledge run`) before it opens its listeners, so the first events are queued instead of matching nothing.
// - Crashes: the process that hosts the broker is SIGKILLed three times mid-stream (the whole process in
//   the all-in-one mode, as a crash or OOM kill of ledge.service; the broker's child under --processes) and
//   restarted on the same data directory. The broker acknowledges a QoS 1 PUBLISH only once it is written
//   for the connector's session, so nothing acknowledged dies with the process.
// In both, the cloud is down while the app publishes; once it is back every acknowledged event arrives.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, type MqttClient } from 'mqtt';
import { connectorCloudEnv, findMosquitto, freePort, startCloudDownWithObserver, zeroLossEvent, type CloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor, type Spawned, skipUnlessTools } from '@ledge/shared/util/testing';

const WINDOW = 64;
const MODES = ['all-in-one', 'processes'] as const;
type Mode = (typeof MODES)[number];
const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);

/** Publishes 0..total-1 with at most WINDOW unacknowledged; `acked` grows as PUBACKs arrive. */
async function publishAll(client: MqttClient, total: number, acked: Set<number>): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < total) {
      const n = next++;
      await client.publishAsync('e', zeroLossEvent(n), { qos: 1 });
      acked.add(n);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, one));
}

const stackEnv = (cloud: CloudBroker, port: number): Record<string, string> => ({
  ...connectorCloudEnv(cloud),
  LEDGE_BROKER_PORT: String(port),
  LEDGE_CONNECTOR_REPLAY_RATE: '0',
  LEDGE_CONNECTOR_BACKOFF_INITIAL: '0.2',
  LEDGE_CONNECTOR_BACKOFF_MAX: '1',
});

const runArgs = (mode: Mode, dir: string) => ['run', '--apps', 'broker,connector', ...(mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', dir];

/** The cloud comes back; every acknowledged event must arrive (the logs are written to a file otherwise). */
async function expectAllAtCloud(name: string, cloud: CloudBroker, acked: Set<number>, received: Map<number, number>, logs: () => Record<string, unknown>[]): Promise<void> {
  await cloud.start();
  await waitFor(() => [...acked].every((n) => received.has(n)), 90_000, 'every acknowledged event at the cloud').catch((err: unknown) => {
    const missing = [...acked].filter((n) => !received.has(n)).sort((a, b) => a - b);
    const dump = join(tmpdir(), `ledge-${name}-${Date.now()}.jsonl`);
    writeFileSync(dump, logs().map((l) => JSON.stringify(l)).join('\n'));
    throw new Error(`${String(err)}: ${missing.length} of ${acked.size} missing, first ${missing.slice(0, 10).join(',')}; logs in ${dump}`);
  });
}

for (const mode of MODES) {
  const title = `ledge run ${mode === 'processes' ? '--processes' : '(all-in-one)'}`;

  describe(`no boot race, ${title}`, { skip, timeout: 120_000 }, () => {
    const total = 5_000;
    it(`${total} QoS 1 events published from the first moment, on a fresh data directory, all reach the cloud`, async (t) => {
      const { cloud, received } = await startCloudDownWithObserver(t);
      const port = await freePort();
      const ledge = spawnNode(t, bundlePath('ledge'), { args: runArgs(mode, createTempDir(t, 'ledge-boot-')), env: stackEnv(cloud, port) });
      // No warm-up: the app dials at once and publishes as soon as the broker accepts it.
      const app = connect(`mqtt://127.0.0.1:${port}`, { clientId: 'app', reconnectPeriod: 20, connectTimeout: 5000 });
      t.after(() => app.endAsync(true));
      await new Promise((resolve) => app.once('connect', resolve));
      const declared = ledge.logs.find((l) => l['msg'] === 'durable sessions declared');
      assert.deepEqual(declared?.['sessions'], ['ledge-connector'], 'the session exists before the listener opened');
      const connectorUp = () => ledge.logs.find((l) => l['msg'] === 'connected' && l['component'] === 'local-bus' && l['clientId'] === 'ledge-connector');
      const acked = new Set<number>();
      await publishAll(app, total, acked);
      t.diagnostic(`the connector came onto the bus ${connectorUp() === undefined ? 'after' : 'during'} the publishing`);
      await waitFor(connectorUp, 30_000, 'the connector on the bus');
      await expectAllAtCloud(`boot-race-${mode}`, cloud, acked, received, () => ledge.logs);
      assert.equal(acked.size, total);
    });
  });

  describe(`no acknowledged event lost to a killed broker process, ${title}`, { skip, timeout: 240_000 }, () => {
    const total = 20_000;
    const killsAt = [4_000, 9_000, 14_000];
    it(`${total} QoS 1 events, the broker's process SIGKILLed ${killsAt.length} times mid-stream and restarted: every acknowledged event reaches the cloud`, async (t) => {
      const { cloud, received } = await startCloudDownWithObserver(t);
      const port = await freePort();
      const dir = createTempDir(t, 'ledge-crash-');
      // While the connector is away (its reconnect backoff after a broker restart reaches seconds) the broker
      // queues every event for it: room for all of them, so that any loss here is a durability bug and not
      // the queue bound's documented drop-oldest rule (asserted below not to have fired).
      const env = { ...stackEnv(cloud, port), LEDGE_BROKER_MAX_QUEUED_MESSAGES: String(2 * total) };
      const runs: Spawned[] = [spawnNode(t, bundlePath('ledge'), { args: runArgs(mode, dir), env })];
      const current = () => runs.at(-1)!;
      const allLogs = () => runs.flatMap((r) => r.logs);
      const brokerStarts = () => current().logs.filter((l) => l['msg'] === 'broker started');
      // No warm-up here either: the app dials at once, on a fresh data directory.
      const app = connect(`mqtt://127.0.0.1:${port}`, { clientId: 'app', reconnectPeriod: 20, connectTimeout: 5000 });
      t.after(() => app.endAsync(true));
      await new Promise((resolve) => app.once('connect', resolve));

      const acked = new Set<number>();
      const publishing = publishAll(app, total, acked);
      const kills: string[] = [];
      for (const at of killsAt) {
        await waitFor(() => acked.size >= at, 120_000, `${at} acknowledged`);
        if (mode === 'all-in-one') {
          // ledge.service dying: broker and connector go together, nothing is flushed or closed.
          await current().kill('SIGKILL');
          kills.push(`process at ${acked.size} acked`);
          runs.push(spawnNode(t, bundlePath('ledge'), { args: runArgs(mode, dir), env }));
          await waitFor(() => brokerStarts().length > 0, 30_000, 'the broker after a restart');
        } else {
          // The supervisor restarts the broker's child; the connector's child reconnects to it.
          const started = brokerStarts();
          const pid = Number(started.at(-1)!['pid']);
          process.kill(pid, 'SIGKILL');
          kills.push(`broker child ${pid} at ${acked.size} acked`);
          await waitFor(() => brokerStarts().length > started.length, 30_000, 'the broker child restarted');
        }
      }
      await publishing;
      t.diagnostic(`killed: ${kills.join('; ')}`);
      await expectAllAtCloud(`crash-${mode}`, cloud, acked, received, allLogs);
      assert.equal(acked.size, total);
      assert.deepEqual(allLogs().filter((l) => l['code'] === 'LEDGE_STORE_QUEUE_FULL'), [], 'no queue overflowed');
      const duplicates = [...received.values()].filter((c) => c > 1).length;
      t.diagnostic(`${received.size} distinct events at the cloud, ${duplicates} more than once (QoS 1 allows it)`);
    });
  });
}
