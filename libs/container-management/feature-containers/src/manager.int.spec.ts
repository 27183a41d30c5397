// recreate against a real containerd (issue 16): a bad image or a replacement that cannot start leaves the
// original running; a good config runs as the replacement <id>.1 and the original is gone. The same
// cases on the in-memory runtime are in manager-recreate.spec.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContainerdRuntime } from '@ledge/container-management/data-access-containerd';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { defaultContainerConfig, type ContainerConfig, type ExitEvent } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir, onCleanup, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import { createContainerManager } from './manager';
import { createContainerStore } from './store';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());

test('recreate on containerd: the original runs on after a failed pull or start; a good config replaces it', { skip, timeout: 120_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const runtime = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-recreate', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  const log = captureLogger('test', 'debug');
  const manager = createContainerManager({ runtime, store: createContainerStore(createTempDir(t)), logger: log.logger, defaultStopTimeoutMs: 5000 });
  // onCleanup runs last-registered-first: the containers go before containerd stops.
  onCleanup(t, async () => {
    for (const r of manager.list()) await manager.remove(r.id, true);
    await manager.close();
    await runtime.close();
  });
  const exits: ExitEvent[] = [];
  runtime.onExit((e) => exits.push(e));
  await manager.start();
  const config: ContainerConfig = {
    ...defaultContainerConfig('app', reg.singleRef),
    networkMode: 'host',
    restartPolicy: { type: 'no' },
    env: ['V=1'],
    cmd: ['/bin/sh', '-c', 'echo v=$V; trap "exit 0" TERM; while true; do /bin/busybox sleep 0.1; done'],
  };
  const { id } = await manager.create(config, { named: true, start: true });
  const firstPid = manager.get(id).state.pid;

  await assert.rejects(manager.recreate(id, { ...config, imageRef: `${reg.host}/test/none:1` }), { code: 'LEDGE_CM_IMAGE_PULL_FAILED' });
  assert.deepEqual(await runtime.listContainers(), [id]);
  assert.deepEqual(await runtime.taskInfo(id), { status: 'running', pid: firstPid }, 'untouched');

  await assert.rejects(manager.recreate(id, { ...config, cmd: ['/no/such/binary'] }), { code: 'LEDGE_CM_RUNTIME_FAILED' });
  assert.deepEqual(await runtime.listContainers(), [id], 'the replacement is gone');
  const restarted = manager.get(id);
  const originalPid = restarted.state.pid;
  assert.deepEqual([restarted.runtimeId, restarted.config.cmd, restarted.state.status], [undefined, config.cmd, 'RUNNING']);
  assert.deepEqual(await runtime.taskInfo(id), { status: 'running', pid: originalPid }, 'the original was started again');

  await manager.recreate(id, { ...config, env: ['V=2'] });
  const r = manager.get(id);
  assert.deepEqual([r.runtimeId, r.state.status], [`${id}.1`, 'RUNNING']);
  assert.deepEqual(await runtime.listContainers(), [`${id}.1`]);
  await waitFor(async () => {
    for await (const l of runtime.logs(`${id}.1`, r.config, {})) if (l.log === 'v=2\n') return true;
    return false;
  }, 10_000, 'the replacement logs v=2');
  // containerd reports the original's exit after the stop returned: it must not count as the record's.
  await waitFor(() => exits.some((e) => e.id === id && e.pid === originalPid), 10_000, 'exit event of the original');
  await manager.rename(id, 'app'); // a no-op queued behind the exit handling
  assert.equal(manager.get(id).state.status, 'RUNNING');
});
