// recreate: pull and create the replacement, stop the original, start the replacement, commit the record,
// remove the original. Issue 16: the original was removed before the pull, so a bad image left a RUNNING
// record with no container behind it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { managerFixture, type ManagerFixture } from './testing/manager-fixture';

async function running(f: ManagerFixture, restartPolicy: 'no' | 'always' = 'no') {
  const r = await f.manager.create(f.config('app', 'img/app:1', { restartPolicy: { type: restartPolicy } }), { named: true, start: true });
  f.runtime.calls.length = 0;
  f.events.length = 0;
  const file = join(f.home, 'containers', r.id, 'config.json');
  return { id: r.id, before: structuredClone(r), file, onDisk: readFileSync(file, 'utf8') };
}

describe('recreate: the original runs on when a step fails', () => {
  it('pull fails: original still running, record unchanged (memory and disk), LEDGE_CM_IMAGE_PULL_FAILED reported', async (t) => {
    const f = await managerFixture(t);
    const { id, before, file, onDisk } = await running(f);
    f.runtime.missingImages.add('img/app:2');
    await assert.rejects(f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' }), { code: 'LEDGE_CM_IMAGE_PULL_FAILED', message: /cannot pull image img\/app:2/ });
    assert.deepEqual(f.manager.get(id), before);
    assert.equal(readFileSync(file, 'utf8'), onDisk);
    assert.deepEqual(f.runtime.calls, ['pull img/app:2'], 'nothing was stopped, created or removed');
    assert.deepEqual([...f.runtime.containers.keys()], [id]);
    assert.equal(f.runtime.containers.get(id)!.task?.status, 'running');
    assert.deepEqual(f.events, []);
  });

  it('the replacement does not start: it is removed, the original started again, the error reported', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    f.runtime.failNext(`start ${id}.1`);
    await assert.rejects(f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' }), { code: 'LEDGE_CM_RUNTIME_FAILED' });
    // Undone in reverse: the original starts again, then the replacement goes.
    assert.deepEqual(f.runtime.calls, ['pull img/app:2', `create ${id}.1`, `stop ${id} SIGTERM`, `start ${id}.1`, `start ${id}`, `remove ${id}.1 force`]);
    const after = f.manager.get(id);
    assert.deepEqual({ ...after, state: before.state }, before, 'config, name, runtime ID unchanged');
    assert.equal(after.state.status, 'RUNNING');
    assert.equal(after.state.pid, f.runtime.containers.get(id)!.task?.pid, 'the record follows the restarted task');
    assert.deepEqual([...f.runtime.containers.keys()], [id]);
    const undone = f.log.lines.filter((l) => l['msg'] === 'container operation step failed');
    assert.deepEqual(undone.map((l) => [l['op'], l['step']]), [['recreate', 'start replacement']]);
  });

  it('the record cannot be written: the started replacement is killed before the original starts again', async (t) => {
    const f = await managerFixture(t);
    const { id, before, file, onDisk } = await running(f);
    f.failNextSave();
    await assert.rejects(f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' }), /disk full/);
    assert.deepEqual(f.runtime.calls.slice(3), [`start ${id}.1`, `stop ${id}.1 SIGKILL`, `start ${id}`, `remove ${id}.1 force`]);
    const after = f.manager.get(id);
    assert.deepEqual([after.runtimeId, after.config.imageRef, after.state.status], [undefined, 'img/app:1', 'RUNNING']);
    assert.notEqual(readFileSync(file, 'utf8'), onDisk, 'the restarted original is written (new pid)');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { config: { imageRef: string } }).config.imageRef, 'img/app:1');
  });

  it('an undo that fails is logged with its step; the later undos still run; the caller gets the step error', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    f.runtime.failNext(`start ${id}.1`);
    f.runtime.failNext(`remove ${id}.1`);
    await assert.rejects(f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' }), { code: 'LEDGE_CM_RUNTIME_FAILED', message: new RegExp(`start of container ${id} failed`) });
    const line = f.log.lines.find((l) => l['msg'] === 'undoing a container operation step failed');
    assert.deepEqual([line?.['level'], line?.['op'], line?.['step'], line?.['containerId']], ['error', 'recreate', 'create replacement', id]);
    assert.equal(f.manager.get(id).state.status, 'RUNNING');
    assert.equal(f.runtime.containers.get(id)!.task?.status, 'running', 'the original was started again');
  });

  it('a late exit event of the stopped original is no crash once it runs again', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    f.runtime.deferExits = true; // containerd reports a stop's exit after stopContainer returned
    f.runtime.failNext(`start ${id}.1`);
    await assert.rejects(f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' }));
    f.runtime.flushExits();
    // A no-op rename runs after the exit handling queued for this container.
    await f.manager.rename(id, 'app');
    assert.equal(f.manager.get(id).state.status, 'RUNNING');
    assert.equal(f.events.filter((e) => e.type === 'state' && e.record.state.status === 'EXITED').length, 0);
  });

  it('a new name that another container has → LEDGE_CM_NAME_IN_USE before anything is touched', async (t) => {
    const f = await managerFixture(t);
    await f.manager.create(f.config('db', 'img/db:1'), { named: true, start: false });
    const { id, before } = await running(f);
    await assert.rejects(f.manager.recreate(id, { ...before.config, name: 'db' }), { code: 'LEDGE_CM_NAME_IN_USE' });
    assert.deepEqual(f.runtime.calls, []);
    assert.deepEqual(f.manager.get(id), before);
  });
});

describe('recreate: the replacement exists before the original goes', () => {
  it('steps in order; same record ID, engine ID <id>.1, the original removed last; then <id>.2', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    await f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' });
    assert.deepEqual(f.runtime.calls, ['pull img/app:2', `create ${id}.1`, `stop ${id} SIGTERM`, `start ${id}.1`, `remove ${id} force`]);
    const r = f.manager.get(id);
    assert.deepEqual([r.runtimeId, r.config.imageRef, r.state.status, r.state.pid], [`${id}.1`, 'img/app:2', 'RUNNING', f.runtime.containers.get(`${id}.1`)!.task?.pid]);
    assert.deepEqual([...f.runtime.containers.keys()], [`${id}.1`]);
    assert.deepEqual(f.events.map((e) => e.type), ['updated', 'state']);
    const saved = JSON.parse(readFileSync(join(f.home, 'containers', id, 'config.json'), 'utf8')) as { runtimeId: string };
    assert.equal(saved.runtimeId, `${id}.1`);
    await f.manager.recreate(id, { ...before.config, imageRef: 'img/app:3' });
    assert.deepEqual([...f.runtime.containers.keys()], [`${id}.2`]);
    // Operations and exits follow the engine ID.
    await f.manager.stop(id);
    assert.ok(f.runtime.calls.includes(`stop ${id}.2 SIGTERM`));
    await f.manager.remove(id, false);
    assert.equal(f.runtime.containers.size, 0);
  });

  it('a stopped container with restart policy no is recreated without starting', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    await f.manager.stop(id);
    f.runtime.calls.length = 0;
    await f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' });
    assert.deepEqual(f.runtime.calls, ['pull img/app:2', `create ${id}.1`, `remove ${id} force`]);
    assert.equal(f.manager.get(id).state.status, 'CREATED');
  });

  it('the replacement exiting before the commit is recorded after it (restart policy applies)', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f);
    f.beforeSave = (r) => {
      if (r.runtimeId === `${id}.1` && r.state.status === 'RUNNING' && f.runtime.containers.get(`${id}.1`)?.task?.status === 'running') f.runtime.exit(`${id}.1`, 3);
    };
    await f.manager.recreate(id, { ...before.config, imageRef: 'img/app:2' });
    await f.manager.rename(id, 'app'); // runs after the queued exit handling
    assert.deepEqual([f.manager.get(id).state.status, f.manager.get(id).state.exitCode], ['EXITED', 3]);
  });

  it('a daemon start removes what an interrupted recreate left: the replacement beside a committed original', async (t) => {
    const f = await managerFixture(t);
    const { id, before } = await running(f, 'always');
    // Power cut between `start replacement` and the commit: the replacement exists, the record points at the original.
    await f.runtime.pullImage('img/app:2');
    await f.runtime.createContainer(`${id}.1`, { ...before.config, imageRef: 'img/app:2' });
    await f.runtime.startContainer(`${id}.1`, before.config);
    f.runtime.containers.get(id)!.task = undefined;
    await f.manager.close();
    f.runtime.calls.length = 0;
    const g = await f.restart();
    assert.deepEqual(g.runtime.calls, [`remove ${id}.1 force`, `attach ${id}`, `start ${id}`]);
    assert.equal(g.manager.get(id).state.status, 'RUNNING');
    assert.deepEqual([...g.runtime.containers.keys()], [id]);
    assert.ok(g.log.lines.some((l) => l['msg'] === 'removed the leftover of an interrupted recreate' && l['runtimeId'] === `${id}.1`));
  });
});
