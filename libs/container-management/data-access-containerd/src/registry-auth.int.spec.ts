// Registry authentication against a real docker-registry (issue 4: "token and basic auth, per-registry
// credentials"): htpasswd Basic auth, and token auth with a token server of the test's own.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { captureLogger, createTempDir, hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { createContainerdRuntime } from './containerd-runtime';
import type { RegistryConfig } from './registry';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry, startTokenServer, type ContainerdFixture, type RegistryFixture } from './testing';

// python3 (its crypt module) makes the htpasswd bcrypt hash, openssl the token signing certificate.
const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo, python3, openssl', !containerdAvailable() || !registryAvailable() || !hasCommand('python3') || !hasCommand('openssl'));
const account = { username: 'ledge', password: 'pa55-w0rd' };
const refused = { code: 'LEDGE_CTRD_REGISTRY_UNAUTHORIZED', kind: 'FailedPrecondition', message: /registry refused access to/ };

/** A runtime over its own namespace (nothing pulled yet) with these per-registry settings. */
function runtime(t: TestContext, ctrd: ContainerdFixture, reg: RegistryFixture, ns: string, registries?: Record<string, RegistryConfig>) {
  const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: ns, stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host], registries });
  t.after(() => rt.close());
  return rt;
}

test('basic auth (htpasswd): pulls with the registry\'s credentials; wrong, missing or another registry\'s → REGISTRY_UNAUTHORIZED', { skip }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t, { auth: { htpasswd: account } })]);
  const image = await runtime(t, ctrd, reg, 'ledge-basic', { [reg.host]: { credentials: account } }).pullImage(reg.singleRef);
  assert.match(image.digest, /^sha256:[a-f0-9]{64}$/);
  await assert.rejects(runtime(t, ctrd, reg, 'ledge-basic-wrong', { [reg.host]: { credentials: { ...account, password: 'wrong' } } }).pullImage(reg.singleRef), refused);
  await assert.rejects(runtime(t, ctrd, reg, 'ledge-basic-none').pullImage(reg.singleRef), refused);
  // Credentials are per registry: those of another host are never sent here.
  await assert.rejects(runtime(t, ctrd, reg, 'ledge-basic-other', { '127.0.0.1:1': { credentials: account } }).pullImage(reg.singleRef), refused);
});

test('token auth: the Bearer challenge is followed to the token server with scope repository:<name>:pull, and the token pulls', { skip }, async (t) => {
  const tokens = await startTokenServer(t, account);
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t, { auth: { token: tokens } })]);
  const pushes = tokens.requests.length;
  const rt = runtime(t, ctrd, reg, 'ledge-token', { [reg.host]: { credentials: account } });
  const image = await rt.pullImage(reg.multiRef, { platform: 'linux/arm64' });
  assert.equal(image.digest, reg.multiDigests.arm64);
  // One token for the repository serves the index, the manifest and every blob.
  assert.deepEqual(tokens.requests.slice(pushes), [{ service: tokens.service, scopes: ['repository:test/multi:pull'], account: account.username, granted: true }]);
  await assert.rejects(runtime(t, ctrd, reg, 'ledge-token-wrong', { [reg.host]: { credentials: { ...account, password: 'wrong' } } }).pullImage(reg.singleRef), refused);
  assert.deepEqual(tokens.requests.at(-1), { service: tokens.service, scopes: ['repository:test/busybox:pull'], account: account.username, granted: false });
  // Anonymous: the token server is asked without credentials and says no.
  await assert.rejects(runtime(t, ctrd, reg, 'ledge-token-none').pullImage(reg.singleRef), refused);
  assert.equal(tokens.requests.at(-1)?.account, undefined);
});
