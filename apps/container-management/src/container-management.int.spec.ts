// The container-management bundle end to end: Ledge broker bundle, a private containerd, a local
// registry; a test client plays the connector (answers edge/thing/request) and the cloud (sends Ditto
// commands on command//<device>:edge:containers/req/…); the stack is testing/cm-stack.ts, shared with the Kanto §8 suites.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerdAvailable, registryAvailable } from '@ledge/container-management/data-access-containerd/testing';
import { waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import { startCmStack } from './testing/cm-stack';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());

describe('container-management bundle', { timeout: 120_000, skip }, () => {
  it('create(start) → RUNNING, stop → STOPPED, bad payload → 400, over containerd', async (t) => {
    const s = await startCmStack(t);
    const { reg, events, call } = s;
    const stateOf = (id: string) => s.states(id).map((st) => st.status);

    const bad = await call('ContainerFactory', 'create', { start: true });
    assert.equal(bad.status, 400);
    assert.equal((bad.env.value as { error: string }).error, 'messages:parameter.invalid');

    const created = await call('ContainerFactory', 'createWithConfig', {
      imageRef: reg.singleRef,
      name: 'sleeper',
      start: true,
      config: { cmd: ['/bin/sh', '-c', 'sleep 300'], restartPolicy: { type: 'NO' }, networkMode: 'HOST' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.env));
    const id = created.env.value as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    await waitFor(() => stateOf(id).includes('RUNNING'), 10_000, 'RUNNING event');
    const feature = events.find((e) => e.path === `/features/Container:${id}`);
    assert.deepEqual((feature?.value as { definition: string[] }).definition, ['com.bosch.iot.suite.edge.containers:Container:1.5.0']);

    assert.equal((await call(`Container:${id}`, 'start', {})).status, 500, 'start of a running container fails');

    // Daemon restart: the task lives on in its shim; the new daemon re-attaches and republishes RUNNING.
    const before = events.length;
    assert.equal(await s.restart(), 0);
    const again = await waitFor(() => events.slice(before).find((e) => e.path === `/features/Container:${id}`), 10_000, 'feature republished');
    assert.equal((again.value as { properties: { status: { state: { status: string } } } }).properties.status.state.status, 'RUNNING');
    assert.equal((await call(`Container:${id}`, 'stop', {})).status, 204);
    await waitFor(() => stateOf(id).includes('STOPPED'), 10_000, 'STOPPED event');
    assert.equal((await call(`Container:${id}`, 'remove', true)).status, 204);
    await waitFor(() => events.some((e) => e.topic.endsWith('/twin/commands/delete') && e.path === `/features/Container:${id}`), 10_000, 'feature deleted');

    // on-failure over real task exits: one restart allowed, then the container stays EXITED.
    const crasher = await call('ContainerFactory', 'createWithConfig', {
      imageRef: reg.singleRef,
      name: 'crasher',
      start: true,
      config: { cmd: ['/bin/sh', '-c', 'exit 3'], restartPolicy: { type: 'ON_FAILURE', maxRetryCount: 1, retryTimeout: 60 }, networkMode: 'HOST' },
    });
    assert.equal(crasher.status, 200, JSON.stringify(crasher.env));
    const cid = crasher.env.value as string;
    await waitFor(() => stateOf(cid).filter((s) => s === 'EXITED').length >= 2, 20_000, 'two exits');
    // No third run: the daemon logs its restart decision with each exit, so no window is needed to see that
    // it will not start the crasher again.
    const exits = () => s.cm.logs.filter((l) => l['msg'] === 'container exited' && l['containerId'] === cid);
    await waitFor(() => exits().length >= 2, 10_000, 'the restart decision of both exits logged');
    assert.deepEqual(exits().map((l) => [l['exitCode'], l['restart']]), [[3, true], [3, false]], 'restarted once (maxRetryCount 1), then left exited');
    assert.deepEqual(stateOf(cid), ['RUNNING', 'EXITED', 'RUNNING', 'EXITED']);
    const last = events.filter((e) => e.path === `/features/Container:${cid}/properties/status/state`).at(-1)!.value as { exitCode: number };
    assert.equal(last.exitCode, 3);

    // always: a task killed from outside (SIGKILL to its pid, as an OOM or a crash would) is restarted.
    const states = s.states;
    const keeper = await call('ContainerFactory', 'createWithConfig', {
      imageRef: reg.singleRef,
      name: 'keeper',
      start: true,
      config: { cmd: ['/bin/sh', '-c', 'sleep 300'], restartPolicy: { type: 'ALWAYS' }, networkMode: 'HOST' },
    });
    const kid = keeper.env.value as string;
    const first = await waitFor(() => states(kid).find((s) => s.status === 'RUNNING'), 10_000, 'keeper RUNNING');
    process.kill(first.pid, 'SIGKILL');
    const second = await waitFor(() => states(kid).filter((s) => s.status === 'RUNNING').at(1), 20_000, 'keeper restarted by ALWAYS');
    assert.notEqual(second.pid, first.pid, 'a new task');
    assert.equal((await call(`Container:${kid}`, 'remove', true)).status, 204);

    // A container over its memory limit is OOM-killed and reported so.
    const hog = await call('ContainerFactory', 'createWithConfig', {
      imageRef: reg.singleRef,
      name: 'hog',
      start: true,
      config: { cmd: ['/bin/sh', '-c', 'exec /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1'], restartPolicy: { type: 'NO' }, networkMode: 'HOST', resources: { memory: '8M', memorySwap: '8M' } },
    });
    assert.equal(hog.status, 200, JSON.stringify(hog.env));
    const hid = hog.env.value as string;
    const killed = await waitFor(() => states(hid).find((s) => s.status === 'EXITED' || s.status === 'DEAD'), 20_000, 'hog ended');
    assert.equal(killed.oomKilled, true, JSON.stringify(killed));
    assert.equal(killed.exitCode, 137);
  });
});
