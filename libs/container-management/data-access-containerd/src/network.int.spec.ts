import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { defaultContainerConfig } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir, fetchText, hasCommand, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { createContainerdRuntime } from './containerd-runtime';
import { containerdAvailable, freePort, registryAvailable, startContainerd, startRegistry } from './testing';

const skip = skipUnlessTools(
  'needs root, containerd, registry tools, CNI plugins, iproute2, iptables',
  !containerdAvailable() || !registryAvailable() || !existsSync('/usr/lib/cni/portmap') || !hasCommand('ip') || !hasCommand('iptables'),
);


test('bridge network with a port mapping, and host mode: busybox httpd reachable from the host', { skip, timeout: 120_000 }, async (t) => {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const bridge = `ledge-t${process.pid % 10000}`;
  t.after(() => spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' }));
  const rt = createContainerdRuntime({
    socket: ctrd.socket,
    namespace: 'ledge-net',
    stateDir: createTempDir(t),
    logger: captureLogger().logger,
    insecureRegistries: [reg.host],
    network: { bridge, subnet: '10.219.0.0/24' },
  });
  t.after(() => rt.close());
  await rt.pullImage(reg.singleRef);

  const hostPort = await freePort();
  const bridged = { ...defaultContainerConfig('web', reg.singleRef), cmd: ['/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www'] };
  bridged.portMappings = [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort }];
  await rt.createContainer('web-bridge', bridged);
  t.after(() => rt.removeContainer('web-bridge', { force: true }).catch(() => undefined));
  await rt.startContainer('web-bridge', bridged);
  assert.ok(existsSync('/var/run/netns/ledge-web-bridge'), 'netns created');
  const body = await waitFor(() => fetchText(`http://127.0.0.1:${hostPort}/`), 10_000, 'httpd through the port mapping');
  assert.equal(body, 'hello from ledge\n');
  const stats = await rt.stats('web-bridge');
  assert.ok(stats.netReadBytes > 0, 'bytes received on eth0');

  const hostModePort = await freePort();
  const host = { ...defaultContainerConfig('webhost', reg.singleRef), networkMode: 'host' as const, cmd: ['/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${hostModePort}`, '-h', '/www'] };
  await rt.createContainer('web-host', host);
  t.after(() => rt.removeContainer('web-host', { force: true }).catch(() => undefined));
  await rt.startContainer('web-host', host);
  assert.equal(await waitFor(() => fetchText(`http://127.0.0.1:${hostModePort}/`), 10_000, 'httpd in host mode'), 'hello from ledge\n');

  await rt.removeContainer('web-bridge', { force: true });
  assert.ok(!existsSync('/var/run/netns/ledge-web-bridge'), 'netns deleted');
  assert.equal(await fetchText(`http://127.0.0.1:${hostPort}/`), undefined, 'port mapping gone');
});
