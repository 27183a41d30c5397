// Contract suite for ContainerRuntime implementations (STYLE.md: every pluggable interface ships one;
// aedes-persistence `abstract.js`). Call it from a test with a factory; each case runs as a subtest with
// its own container IDs. The factory is called again to simulate a daemon restart (re-attach).
// It runs the lifecycle part (runtime-lifecycle-contract.ts, which the in-memory runtime passes as well)
// and then what needs real processes: signals and exit codes, stop timeouts, OOM, logs, re-attach.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { defaultContainerConfig, EXEC_OUTPUT_LIMIT, type ContainerConfig, type ContainerRuntime, type ExitEvent, type LogLine } from '@ledge/container-management/model-containers';
import { waitFor } from '@ledge/shared/util/testing';
import { runtimeLifecycleContract } from './runtime-lifecycle-contract';

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
  await runtimeLifecycleContract(t, { runtime: o.factory(), imageRef: o.imageRef, networkMode: o.networkMode ?? 'host', idPrefix: `lifecycle-${process.pid}` });
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

  await t.test('stop with SIGTERM → the exit code of the trap', async () => {
    const { id, config } = await fresh('trap "exit 3" TERM; echo ready; while true; do /bin/busybox sleep 0.1; done');
    await rt.startContainer(id, config);
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

  await t.test('exec: exit code, stdout+stderr capped at 4 KiB, the container\'s env and cwd; a timeout kills it', async () => {
    const { id, config } = await fresh('exec /bin/busybox sleep 1000', { env: ['PROBE=from-config'] });
    await rt.startContainer(id, config);
    const r = await rt.exec(id, ['/bin/sh', '-c', 'echo "$PROBE in $(/bin/busybox pwd)"; echo oops >&2; exit 3'], { timeoutMs: 10_000 });
    // Two pipes into one output: only the order within a stream is defined.
    assert.deepEqual({ code: r.exitCode, lines: r.output.split('\n').sort() }, { code: 3, lines: ['', 'from-config in /', 'oops'] });
    const big = await rt.exec(id, ['/bin/sh', '-c', 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo 0123456789012345678901234567890123456789; done'], { timeoutMs: 10_000 });
    assert.deepEqual({ code: big.exitCode, bytes: Buffer.byteLength(big.output) }, { code: 0, bytes: EXEC_OUTPUT_LIMIT });
    const started = Date.now();
    await assert.rejects(rt.exec(id, ['/bin/busybox', 'sleep', '30'], { timeoutMs: 300 }), { kind: 'FailedPrecondition' });
    assert.ok(Date.now() - started < 10_000, 'the exec did not run its course');
    const ps = await rt.exec(id, ['/bin/busybox', 'ps'], { timeoutMs: 10_000 });
    assert.doesNotMatch(ps.output, /sleep 30/, 'the timed-out process was killed');
    assert.equal((await rt.taskInfo(id))?.status, 'running', 'the container runs on');
    // runc refuses to start it (containerd answers with an error) rather than exiting 127: never a success.
    const missing = await rt.exec(id, ['/no/such/binary'], { timeoutMs: 10_000 }).then((r) => r.exitCode, () => 'refused');
    assert.notEqual(missing, 0, 'a missing binary is not a success');
    assert.equal(exits.filter((x) => x.id === id).length, 0, 'an exec\'s end is not the container\'s exit');
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
}
