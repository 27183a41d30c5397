// The connector app on injected I/O (ConnectorDeps): the cloud client comes from the factory, built from
// the config, and the bridge runs on the fakes — no broker, no disk outbox, no cloud.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CloudClientInit } from '@ledge/connector/data-access-cloud-mqtt';
import { createHonoProtocol } from '@ledge/connector/model-hono';
import { createLogger, prepareConfig } from '@ledge/shared/util';
import { createFakeTime } from '@ledge/shared/util/testing';
import { createConnector, createConnectorEntry, type ConnectorDeps } from './connector';
import { createFakeCloud, type FakeCloud } from './testing/fake-cloud';
import { createGatedLocalBus } from './testing/gated-local-bus';
import { createMemoryOutbox } from './testing/memory-outbox';

const protocols = { hono: () => createHonoProtocol() };

async function start(t: { after(fn: () => unknown): void }, flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ledge-connector-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const argv = ['--dataDir', dir, '--provisioningFile', join(dir, 'provisioning.json'), '--logLevel', 'silent', ...flags];
  const { config } = prepareConfig(createConnectorEntry(protocols), { argv, env: {}, configDir: dir });
  const time = createFakeTime();
  const local = createGatedLocalBus();
  const inits: CloudClientInit[] = [];
  const clouds: FakeCloud[] = [];
  const deps: ConnectorDeps = {
    logger: createLogger({ name: 'test', level: 'silent' }),
    protocols,
    createOutbox: () => createMemoryOutbox(),
    createLocalBus: local.createLocalBus,
    createCloudClient(init) {
      inits.push(init);
      const c = createFakeCloud();
      clouds.push(c);
      return c;
    },
    clock: time.clock,
    scheduler: time.scheduler,
  };
  const app = createConnector(config, deps);
  t.after(() => app.close());
  await app.start();
  await time.settle();
  return { time, local, inits, clouds };
}

const status = (local: ReturnType<typeof createGatedLocalBus>) => JSON.parse(local.bus.retained('edge/connection/remote/status')?.toString() ?? '{}') as { connected?: boolean; cause?: string };

describe('connector on injected I/O', () => {
  it('builds its cloud client with the injected factory from the config and bridges to it', async (t) => {
    const c = await start(t, ['--address', 'mqtts://hub.example:8883', '--deviceId', 'demo:device', '--tenantId', 'demo', '--authId', 'gw', '--password', 'pw', '--clientId', 'gw-1']);
    assert.equal(c.inits.length, 1);
    const init = c.inits[0]!;
    assert.deepEqual({ address: init.address, clientId: init.clientId, username: init.username, password: init.password }, { address: 'mqtts://hub.example:8883', clientId: 'gw-1', username: 'gw@demo', password: 'pw' });
    assert.equal(init.now?.(), c.time.clock.now(), 'the cloud client gets the injected clock');
    const cloud = c.clouds[0]!;
    assert.ok(cloud.subscriptions.has('command//+/req/#'));
    cloud.connect();
    await c.time.settle();
    assert.equal(status(c.local).connected, true);
    assert.equal(await c.local.deliver('e', 'hello'), 'acked');
    await c.time.settle();
    assert.deepEqual(cloud.published.map((p) => [p.topic, p.payload]), [['event/demo/demo:device', 'hello']]);
  });

  it('without an identity builds no cloud client and reports PROVISIONING_MISSING', async (t) => {
    const c = await start(t, []);
    assert.equal(c.inits.length, 0);
    assert.equal(status(c.local).cause, 'PROVISIONING_MISSING');
  });
});
