import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { captureLogger } from '@ledge/shared/util/testing';
import { createConnectionStatusWatcher } from './connection-status-watcher';
import { createFakeLocalBus } from './testing/fake-local-bus';
import type { ConnectionStatus as RemoteConnectionStatus } from '@ledge/shared/model-edge';

const STATUS = 'edge/connection/remote/status';

async function setup(t: TestContext) {
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ logger: log.logger });
  t.after(() => client.close());
  await client.start();
  const watcher = createConnectionStatusWatcher({ client, logger: log.logger });
  t.after(() => watcher.close());
  const seen: [RemoteConnectionStatus, RemoteConnectionStatus | undefined][] = [];
  watcher.on('status', (s, prev) => void seen.push([s, prev]));
  const send = async (payload: string, retain = true) => {
    bus.inject(STATUS, payload, { qos: 1, retain });
    await bus.flush();
  };
  return { bus, client, watcher, seen, send, log };
}

describe('createConnectionStatusWatcher', () => {
  it('reads the retained status on start', async (t) => {
    const { bus, watcher, seen } = await setup(t);
    bus.inject(STATUS, '{"connected":true,"timestamp":1745576998,"outbox":{"depth":0,"oldestAgeMs":0}}', { qos: 1, retain: true });
    assert.equal(watcher.current, undefined);
    await watcher.start();
    await bus.flush();
    assert.deepEqual(watcher.current, { connected: true, timestamp: 1745576998, outbox: { depth: 0, oldestAgeMs: 0 } });
    assert.equal(watcher.remoteConnected, true);
    assert.equal(seen.length, 1);
  });

  it('follows changes, including the connector Last Will, and reports the previous value', async (t) => {
    const { watcher, seen, send } = await setup(t);
    await watcher.start();
    await send('{"connected":true,"timestamp":100}');
    await send('{"connected":false,"cause":"CONNECTION_UNKNOWN"}');
    assert.equal(watcher.remoteConnected, false);
    assert.deepEqual(seen.at(-1), [{ connected: false, cause: 'CONNECTION_UNKNOWN' }, { connected: true, timestamp: 100 }]);
  });

  it('does not re-emit an identical status (retained redelivery after a reconnect)', async (t) => {
    const { bus, watcher, seen, send } = await setup(t);
    await watcher.start();
    await send('{"connected":true,"timestamp":100}');
    bus.setOnline(false);
    bus.setOnline(true);
    await bus.flush();
    await send('{"connected":true,"timestamp":100}');
    assert.equal(seen.length, 1);
  });

  it('ignores garbage and a cleared retained message, keeping the last valid status', async (t) => {
    const { watcher, seen, send, log } = await setup(t);
    await watcher.start();
    await send('{"connected":false,"timestamp":5,"cause":"CONNECTION_ERROR"}');
    for (const bad of ['garbage', '{"connected":"no"}', '[]', '{"connected":true,"timestamp":"x"}']) await send(bad);
    await send('');
    assert.equal(seen.length, 1);
    assert.deepEqual(watcher.current, { connected: false, timestamp: 5, cause: 'CONNECTION_ERROR' });
    assert.equal(log.lines.filter((l) => l['msg'] === 'invalid connection status ignored').length, 4);
  });

  it('close is idempotent and stops reporting', async (t) => {
    const { watcher, seen, send } = await setup(t);
    await watcher.start();
    await watcher.close();
    await watcher.close();
    await send('{"connected":true,"timestamp":1}');
    assert.equal(seen.length, 0);
    await assert.rejects(watcher.start(), { code: 'LEDGE_MQTT_CLOSED' });
  });
});
