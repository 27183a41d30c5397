// The in-memory runtime the manager's unit tests stand on passes the part of the ContainerRuntime contract
// that needs no real processes (containerd passes the same part in containers.int.spec.ts), plus checks of
// its test-only knobs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runtimeLifecycleContract } from '@ledge/container-management/data-access-containerd/testing';
import { defaultContainerConfig } from '@ledge/container-management/model-containers';
import { createMemoryRuntime } from './memory-runtime';

it('the in-memory runtime passes the ContainerRuntime lifecycle contract', async (t) => {
  await runtimeLifecycleContract(t, { runtime: createMemoryRuntime(), imageRef: 'reg.test/busybox:1', idPrefix: 'memory' });
});

describe('memory runtime test knobs', () => {
  const config = defaultContainerConfig('k', 'reg.test/k:1');

  it('failNext throws once for the first matching call', async () => {
    const rt = createMemoryRuntime();
    rt.failNext('pull reg.test/k');
    await assert.rejects(rt.pullImage('reg.test/k:1'), { kind: 'Unavailable', code: 'LEDGE_TEST_FAULT' });
    await rt.pullImage('reg.test/k:1');
    assert.deepEqual(rt.calls, ['pull reg.test/k:1', 'pull reg.test/k:1']);
  });

  it('hold keeps matching calls waiting until released', async () => {
    const rt = createMemoryRuntime();
    const release = rt.hold('pull ');
    let done = false;
    const pull = rt.pullImage('reg.test/k:1').then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    release();
    await pull;
    assert.ok(await rt.getImage('reg.test/k:1'));
  });

  it('deferExits keeps exit events until flushExits', async () => {
    const rt = createMemoryRuntime();
    const seen: number[] = [];
    rt.onExit((e) => seen.push(e.exitCode));
    await rt.pullImage(config.imageRef);
    await rt.createContainer('k', config);
    await rt.startContainer('k', config);
    rt.deferExits = true;
    assert.equal((await rt.stopContainer('k', { timeoutMs: 10 })).exitCode, 0);
    assert.deepEqual(seen, []);
    rt.flushExits();
    assert.deepEqual(seen, [0]);
  });
});
