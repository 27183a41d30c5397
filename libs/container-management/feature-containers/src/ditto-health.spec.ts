// The health of a container in its Container:<id> feature (issue 18): `status.health` beside Kanto's
// fields, modified as it changes, deleted when a recreate drops the check; no trace of it on containers
// without a check, whose status stays Kanto's exactly. And a container removed before the thing is known
// (right after a restart) has its feature deleted when the features are published.
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import type { HealthCheck } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { createFakeTime } from '@ledge/shared/util/testing';
import { registerContainerFeatures, containerFeature } from './ditto-features';
import type { ContainerManager } from './manager';
import type { MetricsReporter } from './metrics-reporter';
import { managerFixture } from './testing/manager-fixture';

const IMAGE = 'reg.test/app:1';
const CHECK: HealthCheck = { kind: 'tcp', port: 80, intervalMs: 1000, timeoutMs: 500, retries: 1, startPeriodMs: 0 };

type Sent = { op: 'modify' | 'delete'; path: string; value?: unknown };
const idleMetrics = { apply: () => undefined, tick: async () => undefined, active: undefined, close: () => undefined } satisfies MetricsReporter;

/** The container features on an agent that records what it sends; `beforeModify` runs inside each modify. */
function recordFeatures(t: TestContext, manager: ContainerManager, logger: Logger, o: { thingId?: string; beforeModify?: (path: string) => Promise<void> } = {}) {
  const sent: Sent[] = [];
  const agent = {
    thingId: o.thingId,
    handle: () => () => undefined,
    onThing: () => () => undefined,
    message: async () => undefined,
    modify: async (path: string, value: unknown) => {
      sent.push({ op: 'modify', path, value: structuredClone(value) });
      await o.beforeModify?.(path);
    },
    delete: async (path: string) => void sent.push({ op: 'delete', path }),
  };
  const features = registerContainerFeatures({ agent, manager, metrics: idleMetrics, logger });
  t.after(() => features.close());
  return { sent, agent, features };
}

it('status.health follows the check: modified on change, deleted with the check, absent without one', async (t) => {
  const time = createFakeTime();
  const f = await managerFixture(t, undefined, { now: time.clock.now, scheduler: time.scheduler, networkProbes: { http: async () => ({ ok: true, output: '' }), tcp: async () => ({ ok: true, output: 'connected' }) } });
  const { sent } = recordFeatures(t, f.manager, f.log.logger, { thingId: 'demo:gw:edge:containers' });
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
  const { sent, agent, features } = recordFeatures(t, f.manager, f.log.logger);
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
  const a = await f.manager.create(f.config('a', IMAGE), { named: true, start: false });
  const b = await f.manager.create(f.config('b', IMAGE), { named: true, start: false });
  let removing: Promise<void> | undefined;
  // b goes while a's feature is on its way (its delete is sent at once: the thing is known)
  const { sent, features } = recordFeatures(t, f.manager, f.log.logger, {
    thingId: 'demo:gw:edge:containers',
    beforeModify: async (path) => {
      if (path === `/features/Container:${a.id}`) await (removing ??= f.manager.remove(b.id, true));
    },
  });
  await features.publishAll();
  const ofB = sent.filter((s) => s.path === `/features/Container:${b.id}`).map(({ op, path }) => ({ op, path }));
  assert.deepEqual(ofB, [{ op: 'delete', path: `/features/Container:${b.id}` }], 'b deleted, not modified after');
});
