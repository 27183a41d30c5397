import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { deployDescriptors } from './deployment';
import { createContainerManager } from './manager';
import { decideRestart, startOnBoot } from './restart-policy';
import { createContainerStore } from './store';
import { createMemoryRuntime } from './testing/memory-runtime';

function setup(t: TestContext) {
  const home = createTempDir(t);
  const dir = join(home, 'deploy');
  mkdirSync(dir);
  const runtime = createMemoryRuntime();
  const log = captureLogger('test', 'debug');
  const make = () => {
    const manager = createContainerManager({ runtime, store: createContainerStore(home), logger: log.logger, restartDelayMs: 0 });
    t.after(() => manager.close());
    return manager;
  };
  const write = (name: string, v: unknown) => writeFileSync(join(dir, name), typeof v === 'string' ? v : JSON.stringify(v));
  return { home, dir, runtime, make, write, log };
}

describe('deployment descriptors (§4.2)', () => {
  it('update mode: creates and starts new ones, recreates changed ones, keeps unchanged, never removes, skips invalid files', async (t) => {
    const { dir, make, write, runtime, log } = setup(t);
    write('a.json', { container_name: 'a', image: { name: 'img/a:1' } });
    write('b.json', { container_name: 'b', image: { name: 'img/b:1' } });
    write('broken.json', '{nope');
    write('invalid.json', { image: { name: 'x' } });
    write('ignored.txt', 'x');
    const m1 = make();
    await m1.start();
    const r1 = await deployDescriptors({ dir, mode: 'update', manager: m1, logger: log.logger });
    assert.deepEqual(r1, { created: ['a', 'b'], updated: [], unchanged: [], failed: [] });
    assert.deepEqual(m1.list().map((r) => [r.config.name, r.state.status]), [['a', 'RUNNING'], ['b', 'RUNNING']]);
    assert.equal(log.lines.filter((l) => l['msg'] === 'skipping container descriptor').length, 2);
    const aId = m1.findByName('a')!.id;
    await m1.close();

    write('a.json', { container_name: 'a', image: { name: 'img/a:2' } });
    write('c.json', { container_name: 'c', image: { name: 'img/c:1' } });
    rmSync(join(dir, 'b.json'));
    const m2 = make();
    await m2.start();
    const r2 = await deployDescriptors({ dir, mode: 'update', manager: m2, logger: log.logger });
    assert.deepEqual(r2, { created: ['c'], updated: ['a'], unchanged: [], failed: [] });
    assert.equal(m2.findByName('a')!.id, aId, 'same container ID after an update');
    assert.equal(m2.findByName('a')!.config.imageRef, 'img/a:2');
    // The replacement has its own engine ID; the original is gone.
    assert.equal(m2.findByName('a')!.runtimeId, `${aId}.1`);
    assert.equal(runtime.containers.get(`${aId}.1`)!.config.imageRef, 'img/a:2');
    assert.equal(runtime.containers.has(aId), false);
    assert.ok(m2.findByName('b'), 'descriptor gone: the container stays');
    const r3 = await deployDescriptors({ dir, mode: 'update', manager: m2, logger: log.logger });
    assert.deepEqual(r3.unchanged, ['a', 'c']);
  });

  it('update mode with a descriptor whose image cannot be pulled: failed, the container runs on with its old config', async (t) => {
    const { dir, make, write, runtime, log } = setup(t);
    write('a.json', { container_name: 'a', image: { name: 'img/a:1' } });
    const m1 = make();
    await m1.start();
    await deployDescriptors({ dir, mode: 'update', manager: m1, logger: log.logger });
    const before = structuredClone(m1.findByName('a')!);
    await m1.close();

    write('a.json', { container_name: 'a', image: { name: 'img/broken:2' } });
    runtime.missingImages.add('img/broken:2');
    const m2 = make();
    await m2.start();
    const r = await deployDescriptors({ dir, mode: 'update', manager: m2, logger: log.logger });
    assert.deepEqual(r, { created: [], updated: [], unchanged: [], failed: ['a'] });
    assert.deepEqual(m2.findByName('a'), before, 'record unchanged: still RUNNING on img/a:1');
    assert.equal(runtime.containers.get(before.id)!.task?.status, 'running', 'the container is still there and running');
    const err = log.lines.find((l) => l['msg'] === 'deploying container failed')?.['err'] as { code: string };
    assert.equal(err.code, 'LEDGE_CM_IMAGE_PULL_FAILED');
  });

  it('init mode: deploys only when no containers exist; a missing directory is no error', async (t) => {
    const { dir, make, write, log } = setup(t);
    write('a.json', { container_name: 'a', image: { name: 'img/a:1' } });
    const m = make();
    await m.start();
    assert.deepEqual((await deployDescriptors({ dir, mode: 'init', manager: m, logger: log.logger })).created, ['a']);
    write('b.json', { container_name: 'b', image: { name: 'img/b:1' } });
    assert.deepEqual((await deployDescriptors({ dir, mode: 'init', manager: m, logger: log.logger })).created, []);
    assert.equal(m.list().length, 1);
    assert.deepEqual((await deployDescriptors({ dir: join(dir, 'none'), mode: 'update', manager: m, logger: log.logger })).created, []);
  });

  it('a corrupt persisted record is skipped with a warning', async (t) => {
    const { home, make, log } = setup(t);
    mkdirSync(join(home, 'containers', 'bad'), { recursive: true });
    writeFileSync(join(home, 'containers', 'bad', 'config.json'), '{"half');
    const m = make();
    await m.start();
    assert.equal(m.list().length, 0);
    assert.ok(log.lines.some((l) => l['msg'] === 'skipping a container record'), "log.lines.some((l) => l['msg'] === 'skipping a container rec");
  });
});

describe('restart policy decisions', () => {
  const book = { restartCount: 0, restartWindowStart: 0 };
  const table: [string, Parameters<typeof decideRestart>[0], number, typeof book, number, boolean][] = [
    ['no', { type: 'no' }, 1, book, 0, false],
    ['always exit 0', { type: 'always' }, 0, book, 0, true],
    ['unless-stopped exit 1', { type: 'unless-stopped' }, 1, book, 0, true],
    ['on-failure exit 0', { type: 'on-failure', maxRetryCount: 3 }, 0, book, 0, false],
    ['on-failure first failure', { type: 'on-failure', maxRetryCount: 1, retryTimeoutSeconds: 30 }, 1, book, 1000, true],
    ['on-failure limit reached in window', { type: 'on-failure', maxRetryCount: 1, retryTimeoutSeconds: 30 }, 1, { restartCount: 1, restartWindowStart: 1000 }, 20_000, false],
    ['on-failure window passed', { type: 'on-failure', maxRetryCount: 1, retryTimeoutSeconds: 30 }, 1, { restartCount: 1, restartWindowStart: 1000 }, 40_000, true],
  ];
  for (const [name, policy, code, b, now, want] of table) it(name, () => assert.equal(decideRestart(policy, code, b, now).restart, want));
  it('start on boot', () => {
    assert.equal(startOnBoot({ type: 'always' }, true, false), true);
    assert.equal(startOnBoot({ type: 'unless-stopped' }, true, true), false);
    assert.equal(startOnBoot({ type: 'unless-stopped' }, false, false), true);
    assert.equal(startOnBoot({ type: 'on-failure' }, false, true), true);
    assert.equal(startOnBoot({ type: 'on-failure' }, false, false), false);
    assert.equal(startOnBoot({ type: 'no' }, false, true), false);
  });
});
