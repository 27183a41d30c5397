import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { captureLogger } from '@ledge/shared/util/testing';
import { createIdentityWatcher } from './identity-watcher';
import { createFakeLocalBus } from './testing/fake-local-bus';
import type { ThingIdentity as EdgeIdentity } from '@ledge/shared/model-edge';
import type { IdentityChange } from './identity-watcher';

const REQUEST = 'edge/thing/request';
const RESPONSE = 'edge/thing/response';

async function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ clientId: 'software-update', logger: log.logger });
  t.after(() => client.close());
  await client.start();
  await bus.flush();
  const watcher = createIdentityWatcher({ client, logger: log.logger, requestIntervalMs: 1_000 });
  t.after(() => watcher.close());
  const identities: EdgeIdentity[] = [];
  const changes: IdentityChange[] = [];
  watcher.on('identity', (id) => void identities.push(id));
  watcher.on('identityChanged', (c) => void changes.push(c));
  const requests = () => bus.published.filter((p) => p.topic === REQUEST);
  const answer = async (payload: string) => {
    bus.inject(RESPONSE, payload);
    await bus.flush();
  };
  return { bus, client, watcher, identities, changes, requests, answer, log };
}

describe('createIdentityWatcher', () => {
  it('asks on start and every interval until answered, then stops asking', async (t) => {
    const { bus, watcher, requests, answer } = await setup(t);
    await watcher.start();
    await bus.flush();
    assert.equal(requests().length, 1);
    assert.equal(requests()[0]!.payload.length, 0, 'empty request payload, as software-update sends');
    t.mock.timers.tick(1_000);
    t.mock.timers.tick(1_000);
    await bus.flush();
    assert.equal(requests().length, 3);
    await answer('{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}');
    assert.deepEqual(await watcher.identity(), { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' });
    t.mock.timers.tick(10_000);
    await bus.flush();
    assert.equal(requests().length, 3);
  });

  it('emits identity once, ignores identical repeats, re-emits on change with old and new values', async (t) => {
    const { watcher, identities, changes, answer } = await setup(t);
    const pending = watcher.identity();
    await watcher.start();
    await answer('{"deviceId":"demo:device","tenantId":"demo"}');
    assert.deepEqual(await pending, { deviceId: 'demo:device', tenantId: 'demo' });
    await answer('{"deviceId":"demo:device","tenantId":"demo"}');
    await answer('{"tenantId":"demo","deviceId":"demo:device","policyId":""}'); // same values
    assert.equal(identities.length, 1);
    await answer('{"deviceId":"demo:gw2","tenantId":"demo"}');
    assert.deepEqual(identities.at(-1), { deviceId: 'demo:gw2', tenantId: 'demo' });
    assert.deepEqual(changes, [{ previous: { deviceId: 'demo:device', tenantId: 'demo' }, current: { deviceId: 'demo:gw2', tenantId: 'demo' } }]);
    assert.deepEqual(watcher.current, { deviceId: 'demo:gw2', tenantId: 'demo' });
  });

  it('ignores garbage and invalid identities with a warning', async (t) => {
    const { bus, watcher, identities, answer, log, requests } = await setup(t);
    await watcher.start();
    for (const bad of ['', 'garbage', '[1]', '{"deviceId":"nonamespace","tenantId":"t"}', '{"deviceId":"a:b"}', '\u0000\u00ff']) await answer(bad);
    assert.equal(identities.length, 0);
    assert.equal(watcher.current, undefined);
    assert.equal(log.lines.filter((l) => l['msg'] === 'invalid identity payload ignored').length, 6);
    t.mock.timers.tick(1_000);
    await bus.flush();
    assert.equal(requests().length, 2, 'still asking');
    await answer('{"deviceId":"a:b","tenantId":"t"}');
    assert.equal(identities.length, 1);
  });

  it('survives a throwing identity listener', async (t) => {
    const { watcher, answer, log } = await setup(t);
    watcher.on('identity', () => {
      throw new Error('listener bug');
    });
    await watcher.start();
    await answer('{"deviceId":"a:b","tenantId":"t"}');
    assert.deepEqual(await watcher.identity(), { deviceId: 'a:b', tenantId: 't' });
    assert.ok(log.lines.some((l) => l['msg'] === 'identity listener failed'));
  });

  it('asks again after every local reconnect, also once the identity is known', async (t) => {
    const { bus, watcher, requests, answer } = await setup(t);
    await watcher.start();
    await answer('{"deviceId":"a:b","tenantId":"t"}');
    const before = requests().length;
    bus.setOnline(false);
    bus.setOnline(true);
    await bus.flush();
    assert.equal(requests().length, before + 1);
  });

  it('warns once when nobody answers (no connector?)', async (t) => {
    const { watcher, log } = await setup(t);
    await watcher.start();
    for (let i = 0; i < 6; i++) t.mock.timers.tick(1_000);
    assert.equal(log.lines.filter((l) => l['msg'] === 'no identity yet: is a connector running?' && l['level'] === 'warn').length, 1);
  });

  it('close stops asking, unsubscribes and rejects waiters', async (t) => {
    const { bus, client, watcher, requests } = await setup(t);
    await watcher.start();
    const pending = watcher.identity();
    await watcher.close();
    await assert.rejects(pending, { code: 'LEDGE_MQTT_CLOSED' });
    await assert.rejects(watcher.identity(), { code: 'LEDGE_MQTT_CLOSED' });
    await bus.flush();
    const n = requests().length;
    t.mock.timers.tick(5_000);
    await bus.flush();
    assert.equal(requests().length, n);
    let seen = 0;
    client.onMessage(RESPONSE, () => void seen++);
    bus.inject(RESPONSE, '{"deviceId":"a:b","tenantId":"t"}');
    await bus.flush();
    assert.equal(seen, 0, 'the watcher unsubscribed: the client no longer receives responses');
    assert.equal(watcher.current, undefined);
    await watcher.close();
  });

  it('aborts a wait with the signal', async (t) => {
    const { watcher } = await setup(t);
    const ac = new AbortController();
    const waiting = watcher.identity(ac.signal);
    ac.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
  });
});
