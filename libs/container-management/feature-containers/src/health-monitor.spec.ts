// The health monitor on the in-memory runtime with fake time (issue 18): probes run every interval and
// nowhere else, retries and the start period decide the verdict, on-unhealthy restarts, and probing stops
// with the container, its removal and the manager.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { ContainerConfig, HealthCheck } from '@ledge/container-management/model-containers';
import { createFakeTime, waitFor } from '@ledge/shared/util/testing';
import type { NetworkProbes } from './health-probes';
import type { ContainerRecord } from './store';
import { managerFixture } from './testing/manager-fixture';

const IMAGE = 'reg.test/app:1';
const exec = (extra: Partial<HealthCheck> = {}): HealthCheck => ({ kind: 'exec', command: ['/bin/check'], intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, ...extra }) as HealthCheck;

async function setup(t: TestContext, network?: NetworkProbes) {
  const time = createFakeTime();
  const f = await managerFixture(t, undefined, { now: time.clock.now, scheduler: time.scheduler, ...(network ? { networkProbes: network } : {}) });
  const execs = (id: string) => f.runtime.calls.filter((c) => c.startsWith(`exec ${id}`)).length;
  // Events carry the live record: what it said is taken when the event is sent.
  const seen: { id: string; type: string; health?: string; status: string }[] = [];
  f.manager.onEvent((e) => e.type !== 'removed' && seen.push({ id: e.record.id, type: e.type, status: e.record.state.status, ...(e.record.health ? { health: e.record.health.status } : {}) }));
  const healthEvents = (id: string) => seen.filter((e) => e.type === 'health' && e.id === id).map((e) => e.health);
  const states = (id: string) => seen.filter((e) => e.type === 'state' && e.id === id).map((e) => e.status);
  const run = async (check: HealthCheck | undefined, extra: Partial<ContainerConfig> = {}) => {
    const config = f.config('app', IMAGE, { ...(check ? { healthCheck: check } : {}), ...extra });
    return f.manager.create(config, { named: true, start: true });
  };
  const persisted = async (id: string) => JSON.parse(await readFile(join(f.home, 'containers', id, 'config.json'), 'utf8')) as ContainerRecord;
  return { ...f, time, execs, healthEvents, states, run, persisted };
}

describe('health monitor', () => {
  it('a passing exec check: starting at the start, healthy after the first interval, persisted and sent once', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec());
    assert.deepEqual(s.manager.get(id).health, { status: 'starting', failingStreak: 0 });
    await s.time.advance(999);
    assert.equal(s.execs(id), 0, 'the first probe runs one interval after the start');
    await s.time.advance(1);
    assert.deepEqual(s.runtime.calls.filter((c) => c.startsWith('exec')), [`exec ${id} /bin/check`]);
    const h = s.manager.get(id).health;
    assert.equal(h?.status, 'healthy');
    assert.match(h?.lastCheckAt ?? '', /^\d{4}-.*\.\d{9}Z$/);
    await s.time.advance(5000);
    assert.equal(s.execs(id), 6);
    assert.deepEqual(s.healthEvents(id), ['starting', 'healthy'], 'a probe that changes nothing is not sent');
    await waitFor(async () => (await s.persisted(id)).health?.status === 'healthy', 5000, 'health persisted');
  });

  it('healthy → unhealthy after `retries` failures in a row; a success in between starts the count again', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec());
    await s.time.advance(1000);
    let code = 1;
    s.runtime.scriptExec(id, () => ({ exitCode: code, output: code ? 'not ready\n' : '' }));
    await s.time.advance(2000);
    assert.deepEqual([s.manager.get(id).health?.status, s.manager.get(id).health?.failingStreak], ['healthy', 2]);
    code = 0;
    await s.time.advance(1000);
    assert.deepEqual([s.manager.get(id).health?.status, s.manager.get(id).health?.failingStreak], ['healthy', 0]);
    code = 1;
    await s.time.advance(3000);
    assert.deepEqual(s.manager.get(id).health, { status: 'unhealthy', failingStreak: 3, lastCheckAt: s.manager.get(id).health?.lastCheckAt, lastOutput: 'not ready\n' });
    assert.equal(s.manager.get(id).state.status, 'RUNNING', 'restart policy no: it runs on, unhealthy');
    const sent = s.healthEvents(id).length;
    await s.time.advance(5000);
    assert.equal(s.manager.get(id).health?.failingStreak, 8, 'probing goes on');
    assert.equal(s.healthEvents(id).length, sent, 'failures past `retries` are not sent again');
  });

  it('failures inside the start period do not count; after it they do', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec({ startPeriodMs: 4500 }));
    s.runtime.scriptExec(id, { exitCode: 1, output: 'warming up' });
    await s.time.advance(4000);
    assert.deepEqual([s.execs(id), s.manager.get(id).health?.status, s.manager.get(id).health?.failingStreak], [4, 'starting', 0]);
    assert.equal(s.manager.get(id).health?.lastOutput, 'warming up', 'the last output is kept all the same');
    await s.time.advance(2000);
    assert.deepEqual([s.manager.get(id).health?.status, s.manager.get(id).health?.failingStreak], ['starting', 2]);
    await s.time.advance(1000);
    assert.equal(s.manager.get(id).health?.status, 'unhealthy');
  });

  it('on-unhealthy: the unhealthy run is stopped and started again, health starting over', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec({ retries: 2 }), { restartPolicy: { type: 'on-unhealthy' } });
    const firstPid = s.manager.get(id).state.pid;
    s.runtime.scriptExec(id, { exitCode: 1, output: 'dead inside' });
    await s.time.advance(2000);
    // Stop and start write the record before they are told: real I/O, so a condition rather than turns.
    await waitFor(() => s.states(id).length === 3, 5000, 'restarted');
    assert.notEqual(s.manager.get(id).state.pid, firstPid);
    const r = s.manager.get(id);
    assert.deepEqual([r.state.status, r.restartCount, r.health?.status], ['RUNNING', 1, 'starting']);
    assert.ok(s.runtime.calls.includes(`stop ${id} SIGTERM`));
    assert.deepEqual(s.states(id), ['RUNNING', 'EXITED', 'RUNNING']);
    // starting, the first failure (streak 1 of 2), unhealthy, the new run
    assert.deepEqual(s.healthEvents(id), ['starting', 'starting', 'unhealthy', 'starting']);
    s.runtime.scriptExec(id, { exitCode: 0, output: '' });
    await s.time.advance(1000);
    assert.equal(s.manager.get(id).health?.status, 'healthy', 'the new run is probed');
    assert.equal(s.manager.get(id).state.pid, r.state.pid, 'no second restart');
  });

  it('on-unhealthy whose stop fails: logged, and the run is probed on (restarted at its next verdict)', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec({ retries: 1 }), { restartPolicy: { type: 'on-unhealthy' } });
    s.runtime.scriptExec(id, { exitCode: 1, output: 'no' });
    s.runtime.failNext(`stop ${id}`);
    await s.time.advance(1000);
    await waitFor(() => s.log.lines.some((l) => l['msg'] === 'restarting unhealthy container failed'), 5000, 'the failure logged');
    assert.equal(s.manager.get(id).state.status, 'RUNNING');
    s.runtime.scriptExec(id, { exitCode: 0, output: '' });
    await s.time.advance(1000);
    assert.equal(s.manager.get(id).health?.status, 'healthy', 'probed on');
  });

  it('an exec that fails (timeout, runtime error) is a failed probe with the error as output', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec({ retries: 1 }));
    s.runtime.scriptExec(id, () => {
      throw new Error('container app: /bin/check did not end within 500 ms; killed');
    });
    await s.time.advance(1000);
    assert.deepEqual([s.manager.get(id).health?.status, s.manager.get(id).health?.lastOutput], ['unhealthy', 'container app: /bin/check did not end within 500 ms; killed']);
  });

  it('no probes while paused, after a stop, after a remove and after close; a start probes again', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec());
    await s.time.advance(1000);
    await s.manager.pause(id);
    await s.time.advance(3000);
    assert.equal(s.execs(id), 1, 'paused: frozen, not probed');
    await s.manager.resume(id);
    await s.time.advance(1000);
    assert.equal(s.execs(id), 2);
    await s.manager.stop(id);
    await s.time.advance(3000);
    assert.equal(s.execs(id), 2, 'stopped');
    assert.equal(s.manager.get(id).health?.status, 'healthy', 'the last run\'s health stays until the next start');
    await s.manager.startContainer(id);
    assert.equal(s.manager.get(id).health?.status, 'starting');
    await s.time.advance(1000);
    assert.equal(s.execs(id), 3);
    await s.manager.remove(id, true);
    await s.time.advance(3000);
    assert.equal(s.execs(id), 3, 'removed');
    const other = await s.run(exec());
    await s.manager.close();
    await s.time.advance(3000);
    assert.equal(s.execs(other.id), 0, 'closed');
    assert.equal(s.time.pending(), 0, 'no timer left behind');
  });

  it('http and tcp probes dial the container\'s address: its bridge IP, 127.0.0.1 with host networking', async (t) => {
    const dialled: string[] = [];
    const network: NetworkProbes = {
      http: async (url) => (dialled.push(url), { ok: true, output: 'HTTP 200 OK' }),
      tcp: async (host, port) => (dialled.push(`${host}:${port}`), { ok: false, output: `connect ${host}:${port}: ECONNREFUSED` }),
    };
    const s = await setup(t, network);
    const web = await s.run({ kind: 'http', port: 8080, path: '/healthz', intervalMs: 1000, timeoutMs: 500, retries: 1, startPeriodMs: 0 });
    const db = await s.manager.create(s.config('db', IMAGE, { networkMode: 'host', healthCheck: { kind: 'tcp', port: 5432, intervalMs: 1000, timeoutMs: 500, retries: 1, startPeriodMs: 0 } }), { named: true, start: true });
    await s.time.advance(1000);
    assert.equal(dialled.length, 2);
    assert.match(dialled.find((d) => d.startsWith('http'))!, /^http:\/\/10\.217\.0\.\d+:8080\/healthz$/);
    assert.ok(dialled.includes('127.0.0.1:5432'));
    assert.deepEqual([s.manager.get(web.id).health?.status, s.manager.get(web.id).health?.lastOutput], ['healthy', 'HTTP 200 OK']);
    assert.deepEqual([s.manager.get(db.id).health?.status, s.manager.get(db.id).health?.lastOutput], ['unhealthy', 'connect 127.0.0.1:5432: ECONNREFUSED']);
  });

  it('a daemon restart keeps the persisted health and probes on; a container without a check has no health', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec());
    const plain = await s.manager.create(s.config('plain', IMAGE), { named: true, start: true });
    await s.time.advance(1000);
    await waitFor(async () => (await s.persisted(id)).health?.status === 'healthy', 5000, 'health persisted');
    await s.manager.close();
    const again = await managerFixture(t, { runtime: s.runtime, home: s.home, log: s.log }, { now: s.time.clock.now, scheduler: s.time.scheduler });
    assert.equal(again.manager.get(id).health?.status, 'healthy', 'restored as it was');
    s.runtime.scriptExec(id, { exitCode: 1, output: 'x' });
    await s.time.advance(3000);
    assert.equal(again.manager.get(id).health?.status, 'unhealthy', 'and probed by the new manager');
    assert.equal(again.manager.get(plain.id).health, undefined);
    assert.equal('health' in (await s.persisted(plain.id)), false);
  });

  it('a recreate without the check drops the health; with another check starts it over', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(exec());
    await s.time.advance(1000);
    await s.manager.recreate(id, s.config('app', IMAGE, { env: ['V=2'] }));
    assert.equal(s.manager.get(id).health, undefined);
    assert.equal(s.healthEvents(id).at(-1), undefined, 'sent as gone');
    await s.time.advance(3000);
    assert.equal(s.runtime.calls.filter((c) => c.startsWith('exec')).length, 1, 'no probes without a check');
    await s.manager.recreate(id, s.config('app', IMAGE, { healthCheck: exec({ retries: 1 }) }));
    assert.equal(s.manager.get(id).health?.status, 'starting');
    await s.time.advance(1000);
    assert.equal(s.manager.get(id).health?.status, 'healthy');
  });

  it('update to on-unhealthy needs a check', async (t) => {
    const s = await setup(t);
    const { id } = await s.run(undefined);
    await assert.rejects(s.manager.update(id, { restartPolicy: { type: 'on-unhealthy' } }), { code: 'LEDGE_CM_INVALID_REQUEST', message: /ON_UNHEALTHY needs a health check/ });
  });
});
