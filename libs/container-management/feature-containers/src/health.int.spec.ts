// Health checks against a real containerd (issue 18), with the busybox test image of the registry fixture:
// an exec check that passes makes the container healthy; one that fails (or outlives its timeout) makes it
// unhealthy and, with on-unhealthy, restarts it; HTTP to busybox httpd on the bridge (the probe dials the
// container's CNI address) and TCP with host networking. The same rules on the memory runtime with fake
// time are in health-monitor.spec.ts and wait-healthy.spec.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { createContainerdRuntime } from '@ledge/container-management/data-access-containerd';
import { containerdAvailable, freePort, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { defaultContainerConfig, type ContainerConfig, type HealthCheck } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir, hasCommand, onCleanup, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { createContainerManager, type ContainerManager } from './manager';
import { createContainerStore } from './store';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());
const skipBridge = skip || skipUnlessTools('needs CNI plugins in /usr/lib/cni, iproute2, iptables', !existsSync('/usr/lib/cni/portmap') || !hasCommand('ip') || !hasCommand('iptables'));

/** A PID 1 that ends on SIGTERM (one without a handler ignores it). */
const SLEEPER = ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do /bin/busybox sleep 0.1; done'];
const FAST = { intervalMs: 300, timeoutMs: 3000, retries: 2, startPeriodMs: 0 };

async function setup(t: TestContext, namespace: string, network?: { bridge: string; subnet: string }) {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const runtime = createContainerdRuntime({ socket: ctrd.socket, namespace, stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host], ...(network ? { network } : {}) });
  const log = captureLogger('test', 'debug');
  const manager = createContainerManager({ runtime, store: createContainerStore(createTempDir(t)), logger: log.logger, defaultStopTimeoutMs: 3000 });
  // onCleanup runs last-registered-first: the containers go before containerd stops.
  onCleanup(t, async () => {
    for (const r of manager.list()) await manager.remove(r.id, true);
    await manager.close();
    await runtime.close();
  });
  await manager.start();
  const run = async (name: string, healthCheck: HealthCheck, extra: Partial<ContainerConfig> = {}) =>
    (await manager.create({ ...defaultContainerConfig(name, reg.singleRef), networkMode: 'host', restartPolicy: { type: 'no' }, cmd: SLEEPER, healthCheck, ...extra }, { named: true, start: true })).id;
  return { manager, run, log };
}

const healthOf = (m: ContainerManager, id: string) => m.get(id).health?.status;

test('exec checks on containerd: a passing one is healthy; a failing one is unhealthy and on-unhealthy restarts it; a slow one is killed', { skip, timeout: 120_000 }, async (t) => {
  const { manager, run } = await setup(t, 'ledge-health-exec');
  const good = await run('good', { kind: 'exec', command: ['/bin/busybox', 'test', '-d', '/bin'], ...FAST });
  await manager.waitHealthy(good, { deadlineMs: 20_000 });
  assert.deepEqual([healthOf(manager, good), manager.get(good).health?.lastOutput], ['healthy', '']);

  const bad = await run('bad', { kind: 'exec', command: ['/bin/sh', '-c', 'echo "no /tmp/ready"; exit 1'], ...FAST }, { restartPolicy: { type: 'on-unhealthy' } });
  const firstPid = manager.get(bad).state.pid;
  await assert.rejects(manager.waitHealthy(bad, { deadlineMs: 20_000 }), { code: 'LEDGE_CM_NOT_HEALTHY', message: /unhealthy: no \/tmp\/ready$/ });
  const restarted = await waitFor(() => {
    const r = manager.get(bad);
    return r.state.status === 'RUNNING' && r.state.pid !== firstPid && r.restartCount === 1 ? r : undefined;
  }, 20_000, 'the unhealthy container restarted');
  assert.notEqual(restarted.health?.status, 'healthy');

  const slow = await run('slow', { kind: 'exec', command: ['/bin/busybox', 'sleep', '30'], ...FAST, timeoutMs: 300, retries: 1 });
  await assert.rejects(manager.waitHealthy(slow, { deadlineMs: 20_000 }), { code: 'LEDGE_CM_NOT_HEALTHY', message: /did not end within 300 ms; killed/ });
  assert.equal(manager.get(slow).state.status, 'RUNNING', 'restart policy no: it runs on, unhealthy');
});

test('TCP check with host networking: healthy while busybox httpd listens, unhealthy on a port nobody serves', { skip, timeout: 120_000 }, async (t) => {
  const { manager, run } = await setup(t, 'ledge-health-tcp');
  const port = await freePort();
  const web = await run('tcp-web', { kind: 'tcp', port, ...FAST }, { cmd: ['/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/www'] });
  await manager.waitHealthy(web, { deadlineMs: 20_000 });
  assert.equal(manager.get(web).health?.lastOutput, `connected to 127.0.0.1:${port}`);
  const closed = await freePort();
  const none = await run('tcp-none', { kind: 'tcp', port: closed, ...FAST });
  await assert.rejects(manager.waitHealthy(none, { deadlineMs: 20_000 }), { code: 'LEDGE_CM_NOT_HEALTHY', message: new RegExp(`unhealthy: connect 127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`) });
});

test('HTTP check on the bridge: the probe dials the container\'s own address; a missing path is unhealthy', { skip: skipBridge, timeout: 120_000 }, async (t) => {
  const bridge = `ledge-h${process.pid % 10000}`;
  t.after(() => spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' }));
  const { manager, run } = await setup(t, 'ledge-health-http', { bridge, subnet: '10.221.0.0/24' });
  const httpd = { networkMode: 'bridge' as const, cmd: ['/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www'] };
  const web = await run('http-web', { kind: 'http', port: 80, path: '/index.html', ...FAST }, httpd);
  await manager.waitHealthy(web, { deadlineMs: 20_000 });
  assert.equal(manager.get(web).health?.lastOutput, 'HTTP 200 OK');
  const lost = await run('http-lost', { kind: 'http', port: 80, path: '/missing', ...FAST }, httpd);
  await assert.rejects(manager.waitHealthy(lost, { deadlineMs: 20_000 }), { code: 'LEDGE_CM_NOT_HEALTHY', message: /unhealthy: HTTP 404/ });
});
