import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultContainerConfig, type ContainerConfig, type ExitEvent } from '@ledge/container-management-model';
import { captureLogger, createTempDir, waitFor } from '@ledge/util/testing';
import { createContainerdRuntime } from './containerd-runtime';
import { containerdAvailable, registryAvailable, runtimeContract, startContainerd, startRegistry } from './testing';

const skip = !containerdAvailable() || !registryAvailable() ? 'needs root, containerd, runc, docker-registry, umoci, skopeo' : false;

test('containerd runtime passes the ContainerRuntime contract', { skip, timeout: 180_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const stateDir = createTempDir(t);
  await runtimeContract(t, {
    factory: () => createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-contract', stateDir, logger: captureLogger().logger, insecureRegistries: [reg.host] }),
    imageRef: reg.singleRef,
  });
});

test('spec from config: env, hostname, extra hosts, bind mounts, devices, capabilities, privileged', { skip, timeout: 120_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const stateDir = createTempDir(t);
  const shared = createTempDir(t);
  writeFileSync(join(shared, 'in.txt'), 'from-host');
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-spec', stateDir, logger: captureLogger().logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  await rt.pullImage(reg.singleRef);
  const exits: ExitEvent[] = [];
  rt.onExit((e) => exits.push(e));
  const run = async (id: string, script: string, extra: Partial<ContainerConfig>) => {
    const config = { ...defaultContainerConfig(id, reg.singleRef), networkMode: 'host' as const, cmd: ['/bin/sh', '-c', script], ...extra };
    await rt.createContainer(id, config);
    t.after(() => rt.removeContainer(id, { force: true }).catch(() => undefined));
    await rt.startContainer(id, config);
    const e = await waitFor(() => exits.find((x) => x.id === id), 10_000, `${id} exit`);
    await new Promise((r) => setTimeout(r, 250));
    const out: string[] = [];
    for await (const l of rt.logs(id, config, {})) out.push(l.log.trim());
    return { code: e.exitCode, out };
  };
  const a = await run(
    'spec-a',
    'echo "$GREETING"; /bin/busybox hostname; /bin/busybox cat /etc/hosts | /bin/busybox grep gw; /bin/busybox cat /data/in.txt; echo; echo x > /data/out.txt; /bin/busybox ls /dev/extra-null; /bin/busybox grep CapEff /proc/self/status',
    {
      env: ['GREETING=hi'],
      hostName: 'box1',
      extraHosts: ['gw:10.1.2.3'],
      mountPoints: [{ source: shared, destination: '/data', propagationMode: 'rprivate' }],
      devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/extra-null', cgroupPermissions: 'rwm' }],
      extraCapabilities: ['CAP_NET_ADMIN'],
    },
  );
  assert.equal(a.code, 0, a.out.join('\n'));
  assert.deepEqual(a.out.slice(0, 5), ['hi', 'box1', '10.1.2.3\tgw', 'from-host', '/dev/extra-null']);
  // Default set (0xa80425fb) plus CAP_NET_ADMIN (bit 12).
  assert.equal(a.out[5], 'CapEff:\t00000000a80435fb');
  assert.equal(readFileSync(join(shared, 'out.txt'), 'utf8'), 'x\n');
  const b = await run('spec-b', '/bin/busybox grep CapEff /proc/self/status', { privileged: true });
  const bounding = /^CapBnd:\s+([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
  assert.equal(b.out[0], `CapEff:\t${bounding}`, 'privileged gets every capability the daemon has');
});

test('containerd restart: the task, its logs and exit reporting survive', { skip, timeout: 120_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-restart', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  await rt.pullImage(reg.singleRef);
  const exits: ExitEvent[] = [];
  rt.onExit((e) => exits.push(e));
  const config = { ...defaultContainerConfig('r', reg.singleRef), networkMode: 'host' as const, cmd: ['/bin/sh', '-c', 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo n$i; /bin/busybox sleep 0.05; done'] };
  await rt.createContainer('survivor', config);
  t.after(() => rt.removeContainer('survivor', { force: true }).catch(() => undefined));
  const { pid } = await rt.startContainer('survivor', config);
  await ctrd.restart();
  const info = await waitFor(() => rt.taskInfo('survivor').catch(() => undefined), 10_000, 'containerd back');
  assert.deepEqual({ status: info.status, pid: info.pid }, { status: 'running', pid });
  const count = async () => {
    let n = 0;
    for await (const _ of rt.logs('survivor', config, {})) n++;
    return n;
  };
  const before = await count();
  await waitFor(async () => (await count()) > before + 5, 5000, 'logs keep flowing');
  await rt.stopContainer('survivor', { timeoutMs: 100 });
  const e = await waitFor(() => exits.find((x) => x.id === 'survivor'), 10_000, 'exit after the restart');
  assert.equal(e.exitCode, 137);
});
