// The part of the ContainerRuntime contract that needs no real processes: the state machine of
// containers and tasks (create → start → stop → start again → remove), its errors by kind, images and
// exit events for stops. The in-memory runtime of feature-containers (`createMemoryRuntime`) runs it in a
// unit spec; containerd runs it inside `runtimeContract` (runtime-contract.ts), which adds what needs a
// real process (signals, OOM, logs, re-attach). STYLE.md: the in-memory and the real implementation pass
// the same suite, so the manager's unit tests stand on a double that behaves like containerd.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { defaultContainerConfig, type ContainerConfig, type ContainerRuntime, type ExitEvent } from '@ledge/container-management/model-containers';
import { waitFor } from '@ledge/shared/util/testing';

export interface RuntimeLifecycleContractOptions {
  /** A runtime to test; the suite closes it. */
  runtime: ContainerRuntime;
  /** A pullable image; the suite's tasks run `/bin/busybox sleep` from it. */
  imageRef: string;
  /** Network mode for the suite's containers (default host: no CNI needed). */
  networkMode?: 'host' | 'bridge';
  /** Prefix of the container IDs the suite creates (unique per run). */
  idPrefix: string;
}

export async function runtimeLifecycleContract(t: TestContext, o: RuntimeLifecycleContractOptions): Promise<void> {
  const rt = o.runtime;
  const created: string[] = [];
  // One hook, so the containers go before the runtime closes (t.after hooks run in registration order).
  t.after(async () => {
    for (const id of created) await rt.removeContainer(id, { force: true }).catch(() => undefined);
    await rt.close();
  });
  const exits: ExitEvent[] = [];
  rt.onExit((e) => exits.push(e));
  let seq = 0;
  const config = (extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    ...defaultContainerConfig('lifecycle', o.imageRef),
    networkMode: o.networkMode ?? 'host',
    cmd: ['/bin/busybox', 'sleep', '1000'],
    ...extra,
  });
  const fresh = async () => {
    const id = `${o.idPrefix}-${++seq}`;
    const c = config();
    await rt.createContainer(id, c);
    created.push(id);
    return { id, config: c };
  };

  await t.test('pullImage is idempotent and getImage sees the pulled image', async () => {
    const first = await rt.pullImage(o.imageRef);
    const again = await rt.pullImage(o.imageRef);
    assert.equal(again.digest, first.digest);
    assert.match(first.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await rt.getImage(o.imageRef))?.digest, first.digest);
  });

  await t.test('create → no task; start → running with a pid; a second start is FailedPrecondition', async () => {
    const { id, config: c } = await fresh();
    assert.equal(await rt.taskInfo(id), undefined);
    assert.ok((await rt.listContainers()).includes(id));
    const { pid } = await rt.startContainer(id, c);
    assert.ok(pid > 0);
    assert.deepEqual(await rt.taskInfo(id), { status: 'running', pid });
    await assert.rejects(rt.startContainer(id, c), { kind: 'FailedPrecondition' });
  });

  await t.test('stop with SIGKILL → exit 137, stopped task, one exit event; the stopped task is replaced on start', async () => {
    const { id, config: c } = await fresh();
    const { pid } = await rt.startContainer(id, c);
    const exit = await rt.stopContainer(id, { signal: 'SIGKILL', timeoutMs: 5000 });
    assert.deepEqual({ id: exit.id, pid: exit.pid, code: exit.exitCode, oom: exit.oomKilled }, { id, pid, code: 137, oom: false });
    const info = await rt.taskInfo(id);
    assert.deepEqual({ status: info?.status, exitCode: info?.exitCode }, { status: 'stopped', exitCode: 137 });
    const e = await waitFor(() => exits.find((x) => x.id === id), 10_000, 'exit event of the stop');
    assert.deepEqual({ pid: e.pid, code: e.exitCode }, { pid, code: 137 });
    assert.equal(exits.filter((x) => x.id === id).length, 1, 'one event per exit');
    // Stopping a task that already ended answers with its exit instead of failing.
    assert.equal((await rt.stopContainer(id, { timeoutMs: 100 })).exitCode, 137);
    const again = await rt.startContainer(id, c);
    assert.notEqual(again.pid, pid);
    assert.equal((await rt.taskInfo(id))?.status, 'running');
  });

  await t.test('pause and resume; stats of a live task; updateResources sets the memory limit', async () => {
    const { id, config: c } = await fresh();
    await rt.startContainer(id, c);
    await rt.pauseContainer(id);
    assert.equal((await rt.taskInfo(id))?.status, 'paused');
    assert.ok((await rt.stats(id)).pids >= 1, 'a paused task has stats');
    await rt.resumeContainer(id);
    assert.equal((await rt.taskInfo(id))?.status, 'running');
    const s = await rt.stats(id);
    assert.ok(s.pids >= 1, 'pids');
    assert.ok(s.memoryUsedBytes > 0, 'memory used');
    await rt.updateResources(id, { memoryBytes: 64 * 1024 * 1024 });
    assert.equal((await rt.stats(id)).memoryTotalBytes, 64 * 1024 * 1024);
  });

  await t.test('exec runs in a running task only; address is where the host reaches it while it runs', async () => {
    const { id, config: c } = await fresh();
    await assert.rejects(rt.exec(id, ['/bin/busybox', 'true'], { timeoutMs: 5000 }), { kind: 'NotFound' }, 'no task yet');
    assert.equal(await rt.address(id), undefined, 'no address without a task');
    await rt.startContainer(id, c);
    assert.deepEqual(await rt.exec(id, ['/bin/busybox', 'true'], { timeoutMs: 5000 }), { exitCode: 0, output: '' });
    const address = await rt.address(id);
    if ((o.networkMode ?? 'host') === 'host') assert.equal(address, '127.0.0.1');
    else assert.match(address ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    await rt.pauseContainer(id);
    await assert.rejects(rt.exec(id, ['/bin/busybox', 'true'], { timeoutMs: 5000 }), { kind: 'FailedPrecondition' }, 'a frozen task runs nothing');
    await rt.resumeContainer(id);
    await rt.stopContainer(id, { signal: 'SIGKILL', timeoutMs: 5000 });
    await assert.rejects(rt.exec(id, ['/bin/busybox', 'true'], { timeoutMs: 5000 }), { kind: 'FailedPrecondition' }, 'a stopped task');
    assert.equal(await rt.address(id), undefined, 'no address once stopped');
  });

  await t.test('a second create with the same ID is AlreadyExists; remove of a running task needs force; then gone', async () => {
    const { id, config: c } = await fresh();
    await assert.rejects(rt.createContainer(id, c), { kind: 'AlreadyExists' });
    await rt.startContainer(id, c);
    await assert.rejects(rt.removeContainer(id, { force: false }), { kind: 'FailedPrecondition' });
    assert.equal((await rt.taskInfo(id))?.status, 'running', 'a refused remove leaves the task running');
    await rt.removeContainer(id, { force: true });
    assert.ok(!(await rt.listContainers()).includes(id));
    await assert.rejects(rt.taskInfo(id), { kind: 'NotFound' });
    // The ID is free again (recreate under a new ID relies on removal freeing everything).
    await rt.createContainer(id, c);
    await rt.removeContainer(id, { force: false });
  });

  await t.test('two containers of one image run side by side (a replacement exists before the original goes)', async () => {
    const a = await fresh();
    const b = await fresh();
    await rt.startContainer(a.id, a.config);
    await rt.startContainer(b.id, b.config);
    await rt.stopContainer(a.id, { signal: 'SIGKILL', timeoutMs: 5000 });
    assert.equal((await rt.taskInfo(b.id))?.status, 'running', 'stopping one leaves the other');
    await rt.removeContainer(a.id, { force: false });
    assert.equal((await rt.taskInfo(b.id))?.status, 'running', 'removing one leaves the other');
  });

  await t.test('unknown IDs and images → NotFound', async () => {
    const c = config();
    const nope = `${o.idPrefix}-nope`;
    for (const call of [
      () => rt.taskInfo(nope),
      () => rt.startContainer(nope, c),
      () => rt.stopContainer(nope, { timeoutMs: 10 }),
      () => rt.pauseContainer(nope),
      () => rt.resumeContainer(nope),
      () => rt.removeContainer(nope, { force: true }),
      () => rt.stats(nope),
      () => rt.attach(nope, c),
      () => rt.exec(nope, ['/bin/busybox', 'true'], { timeoutMs: 1000 }),
      () => rt.address(nope),
      () => rt.createContainer(`${o.idPrefix}-missing-image`, { ...c, imageRef: 'example.invalid/none:1' }),
    ]) await assert.rejects(call(), { kind: 'NotFound' });
    assert.equal(await rt.getImage('example.invalid/none:1'), undefined);
  });
}
