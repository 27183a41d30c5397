// `ledge cm` end to end (issue 4 item 6): the built `ledge` bundle talks to the container-management
// bundle's local API socket; the daemon runs containers on a private containerd from a local registry.
// Build first: node tools/build-app.mjs ledge && node tools/build-app.mjs container-management (and broker).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management-containerd/testing';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/util/testing';

const skip = !containerdAvailable() || !registryAvailable() ? 'needs root, containerd, runc, docker-registry, umoci, skopeo' : false;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ledge(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bundlePath('ledge'), ...args], { env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('ledge cm CLI against the container-management bundle', { timeout: 180_000, skip }, () => {
  it('create (pull progress) → start → list → logs → stop → remove; unreachable → 1; usage → 2', async (t) => {
    const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
    const broker = spawnNode(t, bundlePath('broker'), { args: ['--persistence', 'memory'], env: { LEDGE_BROKER_PORT: '0' } });
    const port = Number((await broker.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp'))['port']);
    const dir = createTempDir(t);
    const sock = join(dir, 'cm.sock');
    const cm = spawnNode(t, bundlePath('container-management'), {
      args: [
        '--containerdSocket', ctrd.socket, '--namespace', 'ledge-cli-int', '--homeDir', join(dir, 'home'), '--insecureRegistries', reg.host,
        '--deploymentEnable', 'false', '--localAddress', `tcp://127.0.0.1:${port}`, '--defaultStopTimeout', '2', '--apiSocket', sock,
      ],
    });
    await cm.waitForLog((l) => l['msg'] === 'local API listening', 20_000);
    assert.equal(statSync(sock).mode & 0o777, 0o600, 'root-only socket');
    const h = ['cm', '--host', sock];

    assert.deepEqual(await ledge([...h, 'list']), { code: 0, stdout: 'No containers found.\n', stderr: '' });

    const created = await ledge([...h, 'create', '-n', 'web', '--rp', 'no', '--network', 'host', '--e', 'GREETING=hello-from-web', reg.singleRef, '--', '/bin/sh', '-c', 'echo $GREETING; echo oops >&2; sleep 300']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(created.stderr, /pulling .*test\/busybox:1 \[=+\] 100%/, 'plain progress lines when stderr is not a TTY');

    const dup = await ledge([...h, 'create', '-n', 'web', reg.singleRef]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^ledge cm create: a container named web already exists/);

    assert.equal((await ledge([...h, 'start', '-n', 'web'])).code, 0);
    const list = await ledge([...h, 'list']);
    assert.equal(list.code, 0);
    const [header, , row] = list.stdout.split('\n');
    assert.deepEqual(header!.split('|').map((s) => s.trim()), ['ID', 'Name', 'Image', 'Status', 'Finished At', 'Exit Code']);
    assert.deepEqual(row!.split('|').map((s) => s.trim()).slice(0, 4), [id, 'web', reg.singleRef, 'Running']);

    const logs = await waitFor(async () => {
      const r = await ledge([...h, 'logs', '-n', 'web']);
      return r.stdout.includes('hello-from-web') ? r : undefined;
    }, 20_000, 'container output in ledge cm logs');
    assert.equal(logs.code, 0);
    assert.equal(logs.stdout, 'hello-from-web\n');
    assert.equal(logs.stderr, 'oops\n', 'the container\'s stderr goes to stderr');

    assert.equal((await ledge([...h, 'stop', id, '-t', '1'])).code, 0);
    assert.match((await ledge([...h, 'list', '--filter', 'status=stopped'])).stdout, new RegExp(`${id} \\| web .*\\| Stopped `));
    const remove = await ledge([...h, 'remove', id]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal((await ledge([...h, 'list'])).stdout, 'No containers found.\n');

    const gone = await ledge([...h, 'get', id]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /does not exist/);

    const down = await ledge(['cm', '--host', '/nonexistent', 'list']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the container-management daemon at \/nonexistent/);
    const viaEnv = await ledge(['cm', 'list'], { LEDGE_CM_HOST: '/nonexistent/env.sock' });
    assert.match(viaEnv.stderr, /\/nonexistent\/env\.sock/);

    const usage = await ledge([...h, 'create']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /an image is required/);
    assert.equal((await ledge([...h, 'lisst'])).code, 2);
    const help = await ledge([...h, 'logs', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--tail/);

    assert.equal(await cm.kill('SIGTERM'), 0);
    assert.throws(() => statSync(sock), { code: 'ENOENT' }, 'the daemon removes its socket on close');
  });
});
