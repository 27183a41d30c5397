import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultContainerConfig, type ContainerConfig, type ExitEvent, type LogLine } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import { createContainerdRuntime } from './containerd-runtime';
import { containerdAvailable, registryAvailable, runtimeContract, startContainerd, startRegistry } from './testing';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());

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
  // The script's last line is a marker (its exit code kept): the exit may be reported before the last
  // lines reach the log, which is read until the marker is in.
  const END = 'end-of-output';
  const run = async (id: string, script: string, extra: Partial<ContainerConfig>) => {
    const config = { ...defaultContainerConfig(id, reg.singleRef), networkMode: 'host' as const, cmd: ['/bin/sh', '-c', `${script}; rc=$?; echo ${END}; exit $rc`], ...extra };
    await rt.createContainer(id, config);
    t.after(() => rt.removeContainer(id, { force: true }).catch(() => undefined));
    await rt.startContainer(id, config);
    const e = await waitFor(() => exits.find((x) => x.id === id), 10_000, `${id} exit`);
    const out = await waitFor(async () => {
      const lines: string[] = [];
      for await (const l of rt.logs(id, config, {})) lines.push(l.log.trim());
      return lines.at(-1) === END ? lines.slice(0, -1) : undefined;
    }, 10_000, `the whole output of ${id}`);
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

test('json-file rotation with a real container: maxFiles files of at most maxSize, logs() reads the newest lines across them', { skip, timeout: 60_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-logs', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  await rt.pullImage(reg.singleRef);
  const exits: ExitEvent[] = [];
  rt.onExit((e) => exits.push(e));
  // 400 lines of ~150 bytes as JSON: ~60 KB through a 2 KiB × 3 file budget, so ~30 rotations.
  const total = 400;
  const pad = 'x'.repeat(80);
  const logRoot = createTempDir(t);
  const config: ContainerConfig = {
    ...defaultContainerConfig('rot', reg.singleRef),
    networkMode: 'host',
    cmd: ['/bin/sh', '-c', `i=0; while [ $i -lt ${total} ]; do i=$((i+1)); echo "line-$i-${pad}"; done`],
    log: { ...defaultContainerConfig('rot', reg.singleRef).log, type: 'json-file', maxFiles: 3, maxSizeBytes: 2048, rootDir: logRoot },
  };
  await rt.createContainer('rotating', config);
  t.after(() => rt.removeContainer('rotating', { force: true }).catch(() => undefined));
  await rt.startContainer('rotating', config);
  await waitFor(() => exits.find((x) => x.id === 'rotating'), 10_000, 'exit');
  const numbers = (lines: LogLine[]) => lines.map((l) => Number(/^line-(\d+)-/.exec(l.log)?.[1]));
  const lines = await waitFor(async () => {
    const all: LogLine[] = [];
    for await (const l of rt.logs('rotating', config, {})) all.push(l);
    return numbers(all).at(-1) === total ? all : undefined;
  }, 5000, 'the last line in the log');
  // json-log.ts: <dir>/<id>/json.log, rotated into json.log.1 .. json.log.<maxFiles-1>.
  const dir = join(logRoot, 'rotating');
  assert.deepEqual(readdirSync(dir).sort(), ['json.log', 'json.log.1', 'json.log.2']);
  const longest = Math.max(...lines.map((l) => Buffer.byteLength(JSON.stringify(l)) + 1));
  for (const f of readdirSync(dir)) assert.ok(statSync(join(dir, f)).size <= 2048 + longest, `${f}: ${statSync(join(dir, f)).size} bytes`);
  // The newest lines, oldest first, without a gap across the files; the oldest ones were rotated away.
  const got = numbers(lines);
  assert.ok(got[0]! > 1 && got.length < total, `kept ${got.length} of ${total}`);
  assert.deepEqual(got, Array.from({ length: got.length }, (_, k) => total - got.length + 1 + k));
  const current = readFileSync(join(dir, 'json.log'), 'utf8').split('\n').filter(Boolean).length;
  assert.ok(got.length > current, 'logs() reads the rotated files too');
  const tail: LogLine[] = [];
  for await (const l of rt.logs('rotating', config, { tail: current + 5 })) tail.push(l);
  assert.deepEqual(numbers(tail), got.slice(-(current + 5)), 'tail reaches into json.log.1');
});
