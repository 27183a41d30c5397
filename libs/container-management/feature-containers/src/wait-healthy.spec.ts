// waitHealthy on the in-memory runtime with fake time (issue 18): what an update's activation gate relies
// on. It resolves on healthy (or, without a check, after the settle time) and rejects, saying why, on an
// exit, an unhealthy verdict, a removal, a container that never started and the deadline.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { ContainerConfig, HealthCheck } from '@ledge/container-management/model-containers';
import { isLedgeError } from '@ledge/shared/util';
import { createFakeTime, waitFor } from '@ledge/shared/util/testing';
import { managerFixture } from './testing/manager-fixture';

const IMAGE = 'reg.test/app:1';
const CHECK: HealthCheck = { kind: 'exec', command: ['/bin/check'], intervalMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 0 };

/** Where a promise stands, without awaiting it (fake time decides when it may settle). */
function track(p: Promise<void>) {
  const s: { settled: boolean; error?: unknown } = { settled: false };
  p.then(
    () => (s.settled = true),
    (err: unknown) => Object.assign(s, { settled: true, error: err }),
  );
  return s;
}

const reasonOf = (err: unknown) => (isLedgeError(err) ? [err.code, err.details?.['reason']] : [String(err)]);

async function setup(t: TestContext) {
  const time = createFakeTime();
  const f = await managerFixture(t, undefined, { now: time.clock.now, scheduler: time.scheduler });
  const run = async (extra: Partial<ContainerConfig> = {}, start = true) => (await f.manager.create(f.config('app', IMAGE, extra), { named: true, start })).id;
  return { ...f, time, run };
}

describe('waitHealthy', () => {
  it('with a check: resolves once a probe finds it healthy; at once when it already is', async (t) => {
    const s = await setup(t);
    const id = await s.run({ healthCheck: CHECK });
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.time.advance(999);
    assert.equal(w.settled, false, 'still starting');
    await s.time.advance(1);
    assert.deepEqual(w, { settled: true });
    const again = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.time.settle();
    assert.deepEqual(again, { settled: true });
  });

  it('with a check: rejects when it turns unhealthy, with the probe output', async (t) => {
    const s = await setup(t);
    const id = await s.run({ healthCheck: CHECK });
    s.runtime.scriptExec(id, { exitCode: 1, output: 'db unreachable\n' });
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.time.advance(1000);
    assert.equal(w.settled, false, 'one failure of two');
    await s.time.advance(1000);
    assert.deepEqual(reasonOf(w.error), ['LEDGE_CM_NOT_HEALTHY', 'unhealthy']);
    assert.match((w.error as Error).message, /is not healthy: unhealthy: db unreachable$/);
  });

  it('rejects at the first exit, even one its restart policy undoes', async (t) => {
    const s = await setup(t);
    const id = await s.run({ healthCheck: CHECK, restartPolicy: { type: 'always' } });
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    s.runtime.exit(id, 3);
    // The exit is written to disk before it is told: real I/O, so a condition rather than a number of turns.
    await waitFor(() => w.settled, 5000, 'waitHealthy settled');
    assert.deepEqual(reasonOf(w.error), ['LEDGE_CM_NOT_HEALTHY', 'exited']);
    assert.match((w.error as Error).message, /exited with code 3$/);
    assert.equal((w.error as { details: Record<string, unknown> }).details['exitCode'], 3);
  });

  it('rejects when the deadline passes first, naming what it waited for', async (t) => {
    const s = await setup(t);
    const id = await s.run({ healthCheck: { ...CHECK, startPeriodMs: 60_000 } });
    s.runtime.scriptExec(id, { exitCode: 1, output: 'booting' });
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 5000 }));
    await s.time.advance(4999);
    assert.equal(w.settled, false);
    await s.time.advance(1);
    assert.deepEqual(reasonOf(w.error), ['LEDGE_CM_NOT_HEALTHY', 'deadline']);
    assert.match((w.error as Error).message, /deadline of 5000 ms passed \(health starting; last probe: booting\)/);
  });

  it('without a check: resolves once it has run for the settle time (1 s), not before', async (t) => {
    const s = await setup(t);
    const id = await s.run();
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.time.advance(999);
    assert.equal(w.settled, false);
    await s.time.advance(1);
    assert.deepEqual(w, { settled: true });
  });

  it('without a check: a container that exits at once is not taken for healthy', async (t) => {
    const s = await setup(t);
    const id = await s.run({ restartPolicy: { type: 'unless-stopped' } });
    const w = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.time.advance(200);
    s.runtime.exit(id, 1);
    await waitFor(() => w.settled, 5000, 'waitHealthy settled');
    await s.time.advance(2000);
    assert.deepEqual(reasonOf(w.error), ['LEDGE_CM_NOT_HEALTHY', 'exited']);
  });

  it('unknown ID, never started, removed meanwhile, manager closed', async (t) => {
    const s = await setup(t);
    await assert.rejects(s.manager.waitHealthy('nope', { deadlineMs: 1000 }), { code: 'LEDGE_CM_CONTAINER_NOT_FOUND' });
    const created = await s.run({}, false);
    await assert.rejects(s.manager.waitHealthy(created, { deadlineMs: 1000 }), (err: unknown) => reasonOf(err).join() === 'LEDGE_CM_NOT_HEALTHY,not-running' && /not running \(CREATED\)/.test((err as Error).message));
    await s.manager.remove(created, true);
    const id = (await s.manager.create(s.config('b', IMAGE, { healthCheck: CHECK }), { named: true, start: true })).id;
    const removed = track(s.manager.waitHealthy(id, { deadlineMs: 30_000 }));
    await s.manager.remove(id, true);
    await s.time.settle();
    assert.deepEqual(reasonOf(removed.error), ['LEDGE_CM_NOT_HEALTHY', 'removed']);
    const last = (await s.manager.create(s.config('c', IMAGE, { healthCheck: CHECK }), { named: true, start: true })).id;
    const closing = track(s.manager.waitHealthy(last, { deadlineMs: 30_000 }));
    await s.manager.close();
    await s.time.settle();
    assert.deepEqual(reasonOf(closing.error), ['LEDGE_CM_MANAGER_CLOSED', undefined]);
    assert.equal(s.time.pending(), 0, 'no timer left behind');
  });
});
