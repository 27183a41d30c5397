import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger, createTempDir, skipUnlessTools } from '@ledge/shared/util/testing';
import type { PullProgress } from '@ledge/container-management/model-containers';
import { createContainerdClient } from './client';
import { writeBlob } from './content';
import { createContainerdRuntime } from './containerd-runtime';
import { withLease } from './images';
import { hostPlatform, parsePlatform, parseReference } from './reference';
import { createRegistryClient } from './registry';
import { containerdAvailable, platformKey, registryAvailable, startContainerd, startRegistry, type MultiPlatform } from './testing';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());

test('pull from a local registry: content, unpack, image record, progress, idempotent', { skip }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-test', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  // The shape, not a release: a distro update of containerd must not break the test.
  assert.match((await rt.info()).version, /^v?\d+\.\d+\.\d+(?:[-~+.][0-9A-Za-z.~+-]*)?$/);
  assert.equal(await rt.getImage(reg.singleRef), undefined);
  const progress: PullProgress[] = [];
  const info = await rt.pullImage(reg.singleRef, { onProgress: (p) => progress.push(p) });
  assert.equal(info.ref, reg.singleRef);
  assert.match(info.digest, /^sha256:[a-f0-9]{64}$/);
  assert.ok(info.size > 100_000, 'busybox layer size');
  const last = progress.at(-1)!;
  assert.equal(last.doneBytes, last.totalBytes);
  assert.equal(last.layers.length, 1);
  assert.deepEqual(await rt.getImage(reg.singleRef), info);
  // Second pull: everything is in the content store already.
  assert.deepEqual(await rt.pullImage(reg.singleRef), info);
});

test('pull selects the platform from a multi-arch index (amd64, arm64, arm/v7, the host)', { skip }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-test', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  const arm = await rt.pullImage(reg.multiRef, { platform: 'linux/arm64' });
  assert.equal(arm.digest, reg.multiDigests.arm64);
  // arm/v7 (Raspberry Pi OS 32-bit) is its own entry: architecture arm with variant v7 in the index.
  const armv7 = await rt.pullImage(reg.multiRef, { platform: 'linux/arm/v7' });
  assert.equal(armv7.digest, reg.multiDigests['arm/v7']);
  await assert.rejects(rt.pullImage(reg.multiRef, { platform: 'linux/arm/v6' }), { code: 'LEDGE_CTRD_IMAGE_NOT_FOUND' }, 'a requested variant must match');
  // No platform: the host's (hostPlatform), whichever of the index's platforms that is.
  const host = await rt.pullImage(reg.multiRef);
  assert.equal(host.digest, reg.multiDigests[platformKey(hostPlatform()) as MultiPlatform]);
  assert.equal((await rt.getImage(reg.multiRef))?.digest, host.digest);
  // Every pulled platform stays referenced from the shared index blob, so containerd's GC keeps them all.
  const client = createContainerdClient({ socket: ctrd.socket, namespace: 'ledge-test' });
  t.after(() => client.close());
  const index = (await client.unary('images', 'Get', { name: reg.multiRef })).image!.target!.digest;
  const labels = (await client.unary('content', 'Info', { digest: index })).info!.labels;
  const refs = Object.entries(labels).filter(([k]) => k.startsWith('containerd.io/gc.ref.content.m.')).map(([, v]) => v);
  assert.deepEqual(new Set(refs), new Set([reg.multiDigests.arm64, reg.multiDigests['arm/v7'], host.digest]), 'index labels reference every pulled manifest');
  await assert.rejects(rt.pullImage(reg.multiRef, { platform: 'linux/s390x' }), { code: 'LEDGE_CTRD_IMAGE_NOT_FOUND', kind: 'NotFound' });
  await assert.rejects(rt.pullImage(`${reg.host}/test/missing:1`), { code: 'LEDGE_CTRD_IMAGE_NOT_FOUND' });
  await assert.rejects(rt.pullImage('Bad Ref'), { code: 'LEDGE_CTRD_INVALID_REFERENCE', kind: 'InvalidArgument' });
});

test('an interrupted blob write is resumed from the partial ingest (HTTP Range) and verified at commit', { skip }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const logger = captureLogger().logger;
  const client = createContainerdClient({ socket: ctrd.socket, namespace: 'ledge-test' });
  t.after(() => client.close());
  const registry = createRegistryClient({ logger, insecureRegistries: [reg.host] });
  const ref = parseReference(reg.singleRef);
  const layer = (await registry.resolve(ref, parsePlatform(undefined))).layers[0]!;
  const full = await registry.fetchBlobBytes(ref, layer.digest);
  const failing = {
    open: async () => ({
      offset: 0,
      body: (async function* () {
        yield full.subarray(0, 100_000);
        throw new Error('link down');
      })(),
    }),
  };
  await assert.rejects(withLease(client, (lease) => writeBlob(client, layer, failing, { lease }), { resumable: 'ledge-pull-test' }), /link down/);
  // The failed write's resumable lease is kept, so containerd's GC leaves the partial ingest alone.
  const leases = (await client.unary('leases', 'List', { filters: [] })).leases;
  assert.ok(leases.some((l) => l.id === 'ledge-pull-test'), 'a failed pull keeps its lease');
  const statuses = (await client.unary('content', 'ListStatuses', { filters: [] })).statuses;
  assert.deepEqual(statuses.map((s) => [s.ref, s.offset]), [[`ledge-${layer.digest}`, 100_000]]);
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-test', stateDir: createTempDir(t), logger, insecureRegistries: [reg.host] });
  t.after(() => rt.close());
  const firstDone: number[] = [];
  await rt.pullImage(reg.singleRef, { onProgress: (p) => firstDone.push(p.layers[0]!.done) });
  assert.ok(firstDone[0]! >= 100_000, 'progress starts at the resumed offset');
  assert.equal((await client.unary('content', 'Info', { digest: layer.digest })).info!.size, layer.size);
  assert.deepEqual((await client.unary('content', 'ListStatuses', { filters: [] })).statuses, []);
  const after = (await client.unary('leases', 'List', { filters: [] })).leases;
  assert.ok(!after.some((l) => l.id.startsWith('ledge-pull-') && l.id !== 'ledge-pull-test'), 'a successful pull deletes its lease');
});

test('a registry with its own CA: pulled with the configured roots, refused without them', { skip }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t, { tls: true })]);
  const logger = captureLogger().logger;
  const without = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-tls', stateDir: createTempDir(t), logger });
  t.after(() => without.close());
  await assert.rejects(without.pullImage(reg.singleRef), { code: 'LEDGE_CTRD_REGISTRY_FAILED' }, 'an unknown CA is never trusted');
  const withCa = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-tls', stateDir: createTempDir(t), logger, registries: { [reg.host]: { tls: { ca: reg.caPem! } } } });
  t.after(() => withCa.close());
  const image = await withCa.pullImage(reg.singleRef);
  assert.equal((await withCa.getImage(reg.singleRef))?.digest, image.digest);
});
