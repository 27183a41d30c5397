import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { defaultContainerConfig } from '@ledge/container-management/model-containers';
import { chainIds } from './content';
import { fromGrpc } from './errors';
import { decodeTaskExit } from './proto-decode';
import { parsePlatform, parseReference, platformMatches } from './reference';
import { buildSpec, DEFAULT_CAPABILITIES } from './spec';

test('parseReference normalises like containerd', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['eclipse/kanto:1', 'docker.io/eclipse/kanto:1'],
    ['localhost:5000/a/b', 'localhost:5000/a/b:latest'],
    ['127.0.0.1:5000/test/busybox:1', '127.0.0.1:5000/test/busybox:1'],
    [`ghcr.io/x/y@sha256:${'a'.repeat(64)}`, `ghcr.io/x/y@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, name] of cases) assert.equal(parseReference(input).name, name, input);
  for (const bad of ['', 'Upper/Case', 'a@sha256:zz', 'a:b:c:d/e', 'a b']) assert.throws(() => parseReference(bad), { code: 'LEDGE_CTRD_INVALID_REFERENCE' }, bad);
});

test('platform matching', () => {
  assert.ok(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }));
  assert.ok(!platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
  assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'arm64' }));
});

test('chain IDs follow the OCI image spec', () => {
  const a = `sha256:${'1'.repeat(64)}`;
  const b = `sha256:${'2'.repeat(64)}`;
  const [c0, c1] = chainIds([a, b]);
  assert.equal(c0, a);
  assert.equal(c1, `sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`);
});

test('gRPC errors map to LedgeError kinds once', () => {
  const table: [number, string, string][] = [
    [status.NOT_FOUND, 'NotFound', 'LEDGE_CTRD_NOT_FOUND'],
    [status.ALREADY_EXISTS, 'AlreadyExists', 'LEDGE_CTRD_ALREADY_EXISTS'],
    [status.FAILED_PRECONDITION, 'FailedPrecondition', 'LEDGE_CTRD_FAILED_PRECONDITION'],
    [status.INVALID_ARGUMENT, 'InvalidArgument', 'LEDGE_CTRD_INVALID_ARGUMENT'],
    [status.UNAVAILABLE, 'Unavailable', 'LEDGE_CTRD_UNAVAILABLE'],
    [status.UNKNOWN, 'Internal', 'LEDGE_CTRD_INTERNAL'],
  ];
  for (const [code, kind, ledge] of table) {
    const e = fromGrpc(Object.assign(new Error('x'), { code, details: 'd' }), 'tasks.Get');
    assert.equal(e.kind, kind);
    assert.equal(e.code, ledge);
    assert.match(e.message, /tasks\.Get.*d/);
    assert.equal(fromGrpc(e, 'again'), e, 'translated once');
  }
});

test('TaskExit payloads decode', () => {
  // container_id="c1", id="c1", pid=42, exit_status=137, exited_at={seconds:10,nanos:5e6}
  const ts = Buffer.from([0x08, 10, 0x10, 0xc0, 0x96, 0xb1, 0x02]);
  const buf = Buffer.concat([Buffer.from([0x0a, 2, 0x63, 0x31, 0x12, 2, 0x63, 0x31, 0x18, 42, 0x20, 0x89, 0x01, 0x2a, ts.length]), ts]);
  assert.deepEqual(decodeTaskExit(buf), { containerId: 'c1', id: 'c1', pid: 42, exitStatus: 137, exitedAt: new Date(10_005) });
});

/** The parts of the OCI runtime spec these assertions read. */
interface SpecView {
  process: { args: string[]; env: string[]; capabilities: { bounding: string[] } };
  linux: { cgroupsPath: string; namespaces: { type: string; path?: string }[]; resources: { memory: { limit: number } } };
}

test('buildSpec: command, env, namespaces, capabilities, resources', () => {
  const config = { ...defaultContainerConfig('web', 'x/y:1'), cmd: ['httpd', '-f'], env: ['A=2'], extraCapabilities: ['NET_ADMIN'], resources: { memoryBytes: 10_000_000 } };
  const spec = buildSpec({ id: 'c1', namespace: 'ns', config, image: { Entrypoint: ['/bin/busybox'], Cmd: ['sh'], Env: ['A=1', 'PATH=/bin'] }, devices: [], netnsPath: '/var/run/netns/x' }) as unknown as SpecView;
  assert.deepEqual(spec.process.args, ['/bin/busybox', 'httpd', '-f']);
  assert.deepEqual(spec.process.env, ['A=2', 'PATH=/bin']);
  assert.equal(spec.linux.cgroupsPath, '/ns/c1');
  assert.deepEqual(spec.linux.namespaces.at(-1), { type: 'network', path: '/var/run/netns/x' });
  assert.deepEqual(spec.process.capabilities.bounding, [...DEFAULT_CAPABILITIES, 'CAP_NET_ADMIN']);
  assert.equal(spec.linux.resources.memory.limit, 10_000_000);
  const host = buildSpec({ id: 'c1', namespace: 'ns', config: { ...config, networkMode: 'host', privileged: true }, image: {}, devices: [] }) as unknown as SpecView;
  assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
  assert.ok(host.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  assert.throws(() => buildSpec({ id: 'c1', namespace: 'ns', config: { ...config, cmd: [] }, image: {}, devices: [] }), { code: 'LEDGE_CTRD_INVALID_CONFIG' });
});
