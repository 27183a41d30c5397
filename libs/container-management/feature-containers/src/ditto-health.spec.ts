// The health of a container in its Container:<id> feature (issue 18): `status.health` beside Kanto's
// fields, modified as it changes, deleted when a recreate drops the check; no trace of it on containers
// without a check, whose status stays Kanto's exactly. And a container removed before the thing is known
// (right after a restart) has its feature deleted when the features are published.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HealthCheck } from '@ledge/container-management-model';
import { createFakeTime } from '@ledge/util/testing';
import { registerContainerFeatures, containerFeature } from './ditto-features';
import type { MetricsReporter } from './metrics-reporter';
import { managerFixture } from './testing/manager-fixture';

const IMAGE = 'reg.test/app:1';
const CHECK: HealthCheck = { kind: 'tcp', port: 80, intervalMs: 1000, timeoutMs: 500, retries: 1, startPeriodMs: 0 };

it('status.health follows the check: modified on change, deleted with the check, absent without one', async (t) => {
  const time = createFakeTime();
  const f = await managerFixture(t, undefined, { now: time.clock.now, scheduler: time.scheduler, networkProbes: { http: async () => ({ ok: true, output: '' }), tcp: async () => ({ ok: true, output: 'connected' }) } });
  const sent: { op: 'modify' | 'delete'; path: string; value?: unknown }[] = [];
  const features = registerContainerFeatures({
    agent: {
      thingId: 'demo:gw:edge:containers',
      handle: () => () => undefined,
      onThing: () => () => undefined,
      message: async () => undefined,
      modify: async (path, value) => void sent.push({ op: 'modify', path, value: structuredClone(value) }),
      delete: async (path) => void sent.push({ op: 'delete', path }),
    },
    manager: f.manager,
    metrics: { apply: () => undefined, tick: async () => undefined, active: undefined, close: () => undefined } satisfies MetricsReporter,
    logger: f.log.logger,
  });
  t.after(() => features.close());
  const { id } = await f.manager.create(f.config('web', IMAGE, { healthCheck: CHECK }), { named: true, start: true });
  const path = `/features/Container:${id}/properties/status/health`;
  assert.deepEqual(sent.filter((s) => s.path === path), [{ op: 'modify', path, value: { status: 'starting', failingStreak: 0 } }]);
  await time.advance(1000);
  const last = sent.filter((s) => s.path === path).at(-1);
  assert.deepEqual((last?.value as { status: string }).status, 'healthy');
  assert.equal((containerFeature(f.manager.get(id)).properties.status['health'] as { status: string }).status, 'healthy', 'publishAll sends it too');

  const before = sent.length;
  await f.manager.recreate(id, f.config('web', IMAGE));
  assert.deepEqual(sent.slice(before).filter((s) => s.path === path), [{ op: 'delete', path }]);
  assert.deepEqual(Object.keys(containerFeature(f.manager.get(id)).properties.status), ['name', 'imageRef', 'createdAt', 'config', 'state']);
});

it('a container removed before the thing is known: its feature is deleted when the features are published', async (t) => {
  const f = await managerFixture(t);
  const sent: { op: 'modify' | 'delete'; path: string }[] = [];
  const agent = {
    thingId: undefined as string | undefined,
    handle: () => () => undefined,
    onThing: () => () => undefined,
    message: async () => undefined,
    modify: async (path: string) => void sent.push({ op: 'modify', path }),
    delete: async (path: string) => void sent.push({ op: 'delete', path }),
  };
  const features = registerContainerFeatures({
    agent,
    manager: f.manager,
    metrics: { apply: () => undefined, tick: async () => undefined, active: undefined, close: () => undefined } satisfies MetricsReporter,
    logger: f.log.logger,
  });
  t.after(() => features.close());
  const kept = await f.manager.create(f.config('kept', IMAGE), { named: true, start: false });
  const gone = await f.manager.create(f.config('gone', IMAGE), { named: true, start: false });
  await f.manager.remove(gone.id, true);
  assert.equal(sent.length, 0, 'nothing sent before the thing is known');
  agent.thingId = 'demo:gw:edge:containers'; // the identity arrives: the agent's onThing runs publishAll
  await features.publishAll();
  assert.ok(sent.some((s) => s.op === 'modify' && s.path === `/features/Container:${kept.id}`));
  assert.deepEqual(sent.filter((s) => s.op === 'delete'), [{ op: 'delete', path: `/features/Container:${gone.id}` }]);
});

it('a container removed while the features are being published is not sent again after its delete', async (t) => {
  const f = await managerFixture(t);
  const sent: { op: 'modify' | 'delete'; path: string }[] = [];
  const a = await f.manager.create(f.config('a', IMAGE), { named: true, start: false });
  const b = await f.manager.create(f.config('b', IMAGE), { named: true, start: false });
  let removing: Promise<void> | undefined;
  const features = registerContainerFeatures({
    agent: {
      thingId: 'demo:gw:edge:containers',
      handle: () => () => undefined,
      onThing: () => () => undefined,
      message: async () => undefined,
      modify: async (path: string) => {
        sent.push({ op: 'modify', path });
        // b goes while a's feature is on its way (its delete is sent at once: the thing is known)
        if (path === `/features/Container:${a.id}`) await (removing ??= f.manager.remove(b.id, true));
      },
      delete: async (path: string) => void sent.push({ op: 'delete', path }),
    },
    manager: f.manager,
    metrics: { apply: () => undefined, tick: async () => undefined, active: undefined, close: () => undefined } satisfies MetricsReporter,
    logger: f.log.logger,
  });
  t.after(() => features.close());
  await features.publishAll();
  const ofB = sent.filter((s) => s.path === `/features/Container:${b.id}`);
  assert.deepEqual(ofB, [{ op: 'delete', path: `/features/Container:${b.id}` }], 'b deleted, not modified after');
});
