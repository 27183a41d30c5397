// Contract suite for ContainerRuntime implementations (STYLE.md: every pluggable interface ships one;
// aedes-persistence `abstract.js`). Call it from a test with a factory; each case runs as a subtest with
// its own container IDs. The factory is called again to simulate a daemon restart (re-attach).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { defaultContainerConfig, type ContainerConfig, type ContainerRuntime, type ExitEvent, type LogLine } from '@ledge/container-management-model';
import { waitFor } from '@ledge/util/testing';

export type RuntimeFactory = () => ContainerRuntime;

export interface RuntimeContractOptions {
  /** A fresh runtime object over the same engine state (the suite closes what it creates). */
  factory: RuntimeFactory;
  /** A pullable image with /bin/sh and busybox applets reachable as /bin/busybox <applet>. */
  imageRef: string;
  /** Network mode for the suite's containers (default host: no CNI needed). */
  networkMode?: 'host' | 'bridge';
  /** Skip the OOM case (engines without memory cgroups). */
  skipOom?: boolean;
}

let seq = 0;

export async function runtimeContract(t: TestContext, o: RuntimeContractOptions): Promise<void> {
  const runtimes: ContainerRuntime[] = [];
  const open = () => {
    const r = o.factory();
    runtimes.push(r);
    return r;
  };
  t.after(async () => {
    for (const r of runtimes) await r.close();
  });
  const rt = open();
  await rt.pullImage(o.imageRef);
  const exits: ExitEvent[] = [];
  rt.onExit((e) => exits.push(e));
  const cfg = (script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    ...defaultContainerConfig('contract', o.imageRef),
    networkMode: o.networkMode ?? 'host',
    cmd: ['/bin/sh', '-c', script],
    ...extra,
  });
  const fresh = async (script: string, extra?: Partial<ContainerConfig>) => {
    const id = `contract-${process.pid}-${++seq}`;
    const config = cfg(script, extra);
    await rt.createContainer(id, config);
    t.after(() => rt.removeContainer(id, { force: true }).catch(() => undefined));
    return { id, config };
  };
  const collect = async (r: ContainerRuntime, id: string, config: ContainerConfig, tail?: number): Promise<LogLine[]> => {
    const out: LogLine[] = [];
    for await (const l of r.logs(id, config, { tail })) out.push(l);
    return out;
  };

  await t.test('create → start → running → stop with SIGTERM → exit code', async () => {
    const { id, config } = await fresh('trap "exit 3" TERM; echo ready; while true; do /bin/busybox sleep 0.1; done');
    assert.equal(await rt.taskInfo(id), undefined);
    assert.ok((await rt.listContainers()).includes(id));
    const { pid } = await rt.startContainer(id, config);
    assert.ok(pid > 0);
    const info = await rt.taskInfo(id);
    assert.equal(info?.status, 'running');
    assert.equal(info?.pid, pid);
    await assert.rejects(rt.startContainer(id, config), { kind: 'FailedPrecondition' });
    // A signal before the trap is installed would be ignored by PID 1.
    await waitFor(async () => (await collect(rt, id, config)).some((l) => l.log === 'ready\n'), 10_000, 'trap installed');
    const exit = await rt.stopContainer(id, { timeoutMs: 5000 });
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.oomKilled, false);
    const after = await rt.taskInfo(id);
    assert.equal(after?.status, 'stopped');
    assert.equal(after?.exitCode, 3);
    // A stopped task is replaced on the next start.
    await rt.startContainer(id, config);
    assert.equal((await rt.taskInfo(id))?.status, 'running');
  });

  await t.test('stop escalates to SIGKILL after the timeout; force=false fails instead', async () => {
    // PID 1 without a handler ignores SIGTERM.
    const { id, config } = await fresh('exec /bin/busybox sleep 1000');
    await rt.startContainer(id, config);
    await assert.rejects(rt.stopContainer(id, { timeoutMs: 200, force: false }), { code: 'LEDGE_CTRD_STOP_TIMEOUT' });
    const started = Date.now();
    const exit = await rt.stopContainer(id, { timeoutMs: 300 });
    assert.equal(exit.exitCode, 137);
    assert.ok(Date.now() - started >= 250);
  });

  await t.test('exit events for tasks ending on their own', async () => {
    const { id, config } = await fresh('exit 7');
    const { pid } = await rt.startContainer(id, config);
    const e = await waitFor(() => exits.find((x) => x.id === id), 10_000, 'exit event');
    assert.deepEqual({ code: e.exitCode, pid: e.pid, oom: e.oomKilled }, { code: 7, pid, oom: false });
    assert.ok(e.exitedAt instanceof Date);
    assert.equal(exits.filter((x) => x.id === id).length, 1, 'one event per exit');
    assert.equal((await rt.taskInfo(id))?.exitCode, 7);
  });

  await t.test('OOM with a small memory limit → oomKilled', { skip: o.skipOom }, async () => {
    const { id, config } = await fresh('exec /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1', {
      resources: { memoryBytes: 8 * 1024 * 1024, memorySwapBytes: 8 * 1024 * 1024 },
    });
    await rt.startContainer(id, config);
    const e = await waitFor(() => exits.find((x) => x.id === id), 10_000, 'OOM exit');
    assert.equal(e.oomKilled, true);
    assert.equal(e.exitCode, 137);
  });

  await t.test('pause, resume, stats and updateResources', async () => {
    const { id, config } = await fresh('while true; do /bin/busybox sleep 0.1; done');
    await rt.startContainer(id, config);
    await rt.pauseContainer(id);
    assert.equal((await rt.taskInfo(id))?.status, 'paused');
    await rt.resumeContainer(id);
    assert.equal((await rt.taskInfo(id))?.status, 'running');
    const s = await rt.stats(id);
    assert.ok(s.pids >= 1, 'pids');
    assert.ok(s.memoryUsedBytes > 0, 'memory used');
    await rt.updateResources(id, { memoryBytes: 64 * 1024 * 1024 });
    assert.equal((await rt.stats(id)).memoryTotalBytes, 64 * 1024 * 1024);
  });

  await t.test('logs: json-file lines per stream, tail', async () => {
    const { id, config } = await fresh('echo out1; echo err1 >&2; echo out2');
    await rt.startContainer(id, config);
    await waitFor(() => exits.find((x) => x.id === id), 10_000, 'exit');
    const lines = await waitFor(async () => {
      const l = await collect(rt, id, config);
      return l.length === 3 ? l : undefined;
    }, 5000, 'three log lines');
    assert.deepEqual(lines.filter((l) => l.stream === 'stdout').map((l) => l.log), ['out1\n', 'out2\n']);
    assert.deepEqual(lines.filter((l) => l.stream === 'stderr').map((l) => l.log), ['err1\n']);
    assert.match(lines[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    // stdout and stderr are separate pipes: only the order within a stream is defined.
    assert.deepEqual(await collect(rt, id, config, 1), [lines[2]]);
    assert.deepEqual(await collect(rt, id, config, 0), []);
  });

  await t.test('a new runtime object re-attaches to a running task (daemon restart)', async () => {
    const { id, config } = await fresh('i=0; while true; do i=$((i+1)); echo tick$i; /bin/busybox sleep 0.1; done');
    const { pid } = await rt.startContainer(id, config);
    const rt2 = open();
    const exits2: ExitEvent[] = [];
    rt2.onExit((e) => exits2.push(e));
    // Close the first one: its FIFO readers go away, the task keeps running in its shim.
    await rt.close();
    const info = await rt2.attach(id, config);
    assert.deepEqual({ status: info?.status, pid: info?.pid }, { status: 'running', pid });
    const before = (await collect(rt2, id, config)).length;
    await waitFor(async () => (await collect(rt2, id, config)).length > before + 3, 5000, 'log lines after re-attach');
    const exit = await rt2.stopContainer(id, { timeoutMs: 200 });
    assert.equal(exit.exitCode, 137);
    await waitFor(() => exits2.find((x) => x.id === id), 5000, 'exit event on the new runtime');
    await rt2.removeContainer(id, { force: true });
  });

  const rt3 = open();
  await t.test('remove: running needs force; then gone', async () => {
    const id = `contract-${process.pid}-${++seq}`;
    const config = cfg('exec /bin/busybox sleep 1000');
    await rt3.createContainer(id, config);
    await assert.rejects(rt3.createContainer(id, config), { kind: 'AlreadyExists' });
    await rt3.startContainer(id, config);
    await assert.rejects(rt3.removeContainer(id, { force: false }), { kind: 'FailedPrecondition' });
    await rt3.removeContainer(id, { force: true });
    assert.ok(!(await rt3.listContainers()).includes(id));
    await assert.rejects(rt3.taskInfo(id), { kind: 'NotFound' });
  });

  await t.test('unknown IDs → NotFound', async () => {
    const config = cfg('true');
    for (const call of [
      () => rt3.taskInfo('nope'),
      () => rt3.startContainer('nope', config),
      () => rt3.stopContainer('nope', { timeoutMs: 10 }),
      () => rt3.pauseContainer('nope'),
      () => rt3.resumeContainer('nope'),
      () => rt3.removeContainer('nope', { force: true }),
      () => rt3.stats('nope'),
      () => rt3.attach('nope', config),
      () => rt3.createContainer('c-missing-image', { ...config, imageRef: 'example.invalid/none:1' }),
    ]) await assert.rejects(call(), { kind: 'NotFound' });
    assert.equal(await rt3.getImage('example.invalid/none:1'), undefined);
  });
}
