// create: acquire (name, image, engine container) → commit (record) → release (name reservation).
// Issue 16: two concurrent creates of one name both succeeded (checked before the pull, taken after it).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { managerFixture } from './testing/manager-fixture';

describe('create: names are reserved when asked for', () => {
  it('two concurrent creates of one name: the one asked first wins, the other gets LEDGE_CM_NAME_IN_USE', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    const releasePulls = runtime.hold('pull ');
    const first = manager.create(config('web', 'img/a:1'), { named: true, start: true });
    // The first one is still pulling: the record does not exist yet, the name is taken all the same.
    const second = manager.create(config('web', 'img/b:1'), { named: true, start: true });
    await assert.rejects(second, { code: 'LEDGE_CM_NAME_IN_USE', kind: 'AlreadyExists', message: 'a container named web already exists' });
    releasePulls();
    const won = await first;
    assert.deepEqual(manager.list().map((r) => [r.config.name, r.config.imageRef, r.state.status]), [['web', 'img/a:1', 'RUNNING']]);
    assert.deepEqual([...runtime.containers.keys()], [won.id]);
    assert.deepEqual(runtime.calls.filter((c) => c.startsWith('pull ')), ['pull img/a:1'], 'the loser never pulled');
  });

  it('many creates of one name at once: exactly one succeeds', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    const results = await Promise.allSettled(['img/a:1', 'img/b:1', 'img/c:1', 'img/d:1'].map((image) => manager.create(config('db', image), { named: true, start: false })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results.filter((x) => x.status === 'rejected')) assert.equal((r as PromiseRejectedResult).reason.code, 'LEDGE_CM_NAME_IN_USE');
    assert.equal(manager.list().length, 1);
    assert.equal(runtime.containers.size, 1);
  });

  it('concurrent creates without a given name get distinct derived names', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    const releasePulls = runtime.hold('pull ');
    const both = Promise.all([manager.create(config('app', 'img/a:1'), { named: false, start: false }), manager.create(config('app', 'img/a:2'), { named: false, start: false })]);
    releasePulls();
    assert.deepEqual((await both).map((r) => r.config.name), ['app', 'app-1']);
  });

  it('a rename to a name a pending create reserved is refused', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    const other = await manager.create(config('other', 'img/o:1'), { named: true, start: false });
    const releasePulls = runtime.hold('pull ');
    const pending = manager.create(config('web', 'img/a:1'), { named: true, start: false });
    await assert.rejects(manager.rename(other.id, 'web'), { code: 'LEDGE_CM_NAME_IN_USE' });
    releasePulls();
    await pending;
    assert.equal(manager.get(other.id).config.name, 'other');
  });
});

describe('create: a failed step leaves nothing behind and gives the name back', () => {
  it('unpullable image → LEDGE_CM_IMAGE_PULL_FAILED; the name is free for the next create', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    runtime.missingImages.add('img/none:1');
    await assert.rejects(manager.create(config('web', 'img/none:1'), { named: true, start: true }), { code: 'LEDGE_CM_IMAGE_PULL_FAILED' });
    assert.equal(manager.list().length, 0);
    assert.equal(runtime.containers.size, 0);
    await manager.create(config('web', 'img/a:1'), { named: true, start: true });
  });

  it('engine create fails → LEDGE_CM_RUNTIME_FAILED, no record, name free', async (t) => {
    const { manager, runtime, config } = await managerFixture(t);
    runtime.failNext('create ');
    await assert.rejects(manager.create(config('web', 'img/a:1'), { named: true, start: true }), { code: 'LEDGE_CM_RUNTIME_FAILED' });
    assert.equal(manager.list().length, 0);
    assert.equal(manager.findByName('web'), undefined);
    await manager.create(config('web', 'img/a:1'), { named: true, start: true });
  });

  it('the record cannot be written → the engine container is removed again; no record on disk or in memory', async (t) => {
    const { manager, runtime, config, home, failNextSave, events, log } = await managerFixture(t);
    failNextSave();
    await assert.rejects(manager.create(config('web', 'img/a:1'), { named: true, start: true }), /disk full/);
    assert.equal(runtime.containers.size, 0);
    assert.equal(manager.list().length, 0);
    assert.deepEqual(events, []);
    const id = runtime.calls.find((c) => c.startsWith('create '))!.slice('create '.length);
    assert.ok(runtime.calls.includes(`remove ${id} force`));
    assert.equal(existsSync(join(home, 'containers', id, 'config.json')), false);
    const failed = log.lines.find((l) => l['msg'] === 'container operation step failed');
    assert.deepEqual([failed?.['op'], failed?.['step']], ['create', 'commit record']);
  });

  it('a cleanup that fails is logged with its step (not swallowed); the caller gets the original error', async (t) => {
    const { manager, runtime, config, failNextSave, log } = await managerFixture(t);
    failNextSave();
    runtime.failNext('remove ');
    await assert.rejects(manager.create(config('web', 'img/a:1'), { named: true, start: true }), /disk full/);
    const line = log.lines.find((l) => l['msg'] === 'undoing a container operation step failed');
    assert.equal(line?.['level'], 'error');
    assert.equal(line?.['step'], 'create container');
    assert.equal((line?.['err'] as { code: string }).code, 'LEDGE_CM_RUNTIME_FAILED');
    // The name reservation was undone all the same (the undo before it in the list ran).
    await manager.create(config('web', 'img/a:1'), { named: true, start: false });
  });
});
