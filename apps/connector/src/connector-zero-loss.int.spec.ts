// Zero loss: 10,000 QoS 1 events published on the Ledge broker while the cloud is down; the connector
// is SIGKILLed at random moments and restarted, the Ledge broker is restarted too; then the cloud comes
// back and every event must arrive at a cloud subscriber. Duplicates are counted and reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { createTempDir, randomPause, waitFor, type Spawned } from '@ledge/shared/util/testing';
import { startCloudDownWithObserver, zeroLossEvent } from '@ledge/shared/data-access-mqtt/testing';
import { spawnConnector, startLedgeBroker } from './testing/cloud-fixture';

const TOTAL = 10_000;

describe('connector: zero loss across crashes', { timeout: 120_000 }, () => {
  it(`${TOTAL} QoS 1 events survive 3 connector SIGKILLs and a broker restart`, async (t) => {
    // A persistent cloud subscriber, then the cloud goes down (Mosquitto persists the session on SIGTERM).
    const { cloud, received } = await startCloudDownWithObserver(t);

    const local = await startLedgeBroker(t, ['--maxQueuedMessages', '100000']);
    const dir = createTempDir(t);
    const args = {
      address: `mqtt://127.0.0.1:${cloud.plainPort}`, deviceId: 'demo:device', tenantId: 'demo', authId: 'demo-auth', password: 'device-pw',
      localAddress: `tcp://127.0.0.1:${local.port}`, dataDir: dir, provisioningFile: `${dir}/none.json`, replayRate: 0, logLevel: 'info',
    };
    let connector: Spawned = spawnConnector(t, args);
    const connectors = [connector];
    await connector.waitForLog((l) => l['msg'] === 'connected' && l['component'] === 'local-bus');

    const app = await connectAsync(`mqtt://127.0.0.1:${local.port}`, { clientId: 'app', reconnectPeriod: 200 });
    t.after(() => app.endAsync(true));
    const publishRange = async (from: number, to: number) => {
      const batch: Promise<unknown>[] = [];
      for (let n = from; n < to; n++) {
        batch.push(app.publishAsync('e', zeroLossEvent(n), { qos: 1 }));
        if (batch.length === 500) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
    };
    // Three SIGKILLs at random moments while the events stream in; each time a new connector starts.
    const cuts = [1, 2, 3].map((i) => Math.floor((TOTAL * i) / 4 + (Math.random() - 0.5) * 1000)).sort((a, b) => a - b);
    let from = 0;
    for (const cut of cuts) {
      await publishRange(from, cut);
      from = cut;
      await randomPause(0, 150); // the input: a random moment in the stream for the SIGKILL, not a wait
      await connector.kill('SIGKILL');
      await publishRange(from, from + 200); // published while the connector is dead: queued by the broker
      from += 200;
      connector = spawnConnector(t, args);
      connectors.push(connector);
      await connector.waitForLog((l) => l['msg'] === 'connected' && l['component'] === 'local-bus');
    }
    await publishRange(from, TOTAL);

    // Restart the Ledge broker (orderly), then let the connector reconnect to it.
    await waitFor(() => connector.logs.length > 0, 1000);
    await local.stop('SIGTERM');
    await local.start();
    await connector.waitForLog((l) => l['msg'] === 'connected' && l['component'] === 'local-bus' && l['sessionPresent'] === true, 20_000);

    await cloud.start();
    await waitFor(() => received.size === TOTAL, 90_000, `all ${TOTAL} events at the cloud (have ${received.size})`).catch((err: unknown) => {
      const missing = [...Array(TOTAL).keys()].filter((n) => !received.has(n));
      // What each connector saw of its local session, for the next reader of a failure.
      const sessions = connectors.map((c, i) => `connector ${i}: ${c.logs.filter((l) => l['component'] === 'local-bus' && l['msg'] === 'connected').map((l) => JSON.stringify({ sessionPresent: l['sessionPresent'], resubscribed: l['resubscribed'] })).join(' ')}`);
      throw new Error(`${String(err)}; missing ${missing.length}, first ${missing.slice(0, 10).join(',')}; cuts at ${cuts.join(',')}; ${sessions.join('; ')}`);
    });
    const duplicates = [...received.values()].reduce((s, c) => s + c - 1, 0);
    t.diagnostic(`received ${TOTAL} distinct events, ${duplicates} duplicates, cuts at ${cuts.join(',')}`);
    assert.equal(received.size, TOTAL);
  });
});
