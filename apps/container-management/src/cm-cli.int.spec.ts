// `ledge cm` end to end (issue 4 item 6): the built `ledge` bundle talks to the container-management
// bundle's local API socket; the daemon runs containers on a private containerd from a local registry.
// Build first: node tools/build-app.mjs ledge && node tools/build-app.mjs container-management (and broker).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { bundlePath, createTempDir, spawnNode, waitFor, skipUnlessTools, withDeadline } from '@ledge/shared/util/testing';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());

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

/** containerd, a registry, a broker and the container-management bundle with its local API on `sock`. */
async function startStack(t: TestContext) {
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
  return { reg, cm, sock, h: ['cm', '--host', sock] };
}

describe('ledge cm CLI against the container-management bundle', { timeout: 180_000, skip }, () => {
  it('create (pull progress) → start → list → logs → stop → remove; unreachable → 1; usage → 2', async (t) => {
    const { reg, cm, sock, h } = await startStack(t);
    assert.equal(statSync(sock).mode & 0o777, 0o600, 'root-only socket');

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

  it('logs -f prints new lines as they come and ends when the container stops (or on SIGINT); start --a exits with the container\'s code', async (t) => {
    const { reg, h } = await startStack(t);
    const ticker = await ledge([...h, 'create', '-n', 'ticker', '--rp', 'no', '--network', 'host', reg.singleRef, '--', '/bin/sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done']);
    assert.equal(ticker.code, 0, ticker.stderr);
    assert.equal((await ledge([...h, 'start', '-n', 'ticker'])).code, 0);
    await waitFor(async () => (await ledge([...h, 'logs', '-n', 'ticker'])).stdout.includes('tick-2'), 20_000, 'ticker output');

    const ticks = (p: { logs: Record<string, unknown>[] }) => p.logs.map((l) => Number(/^tick-(\d+)$/.exec(String(l['raw']))?.[1] ?? NaN));
    const follow = spawnNode(t, bundlePath('ledge'), { args: [...h, 'logs', '-f', '--tail', '1', '-n', 'ticker'] });
    await follow.waitForLog((l) => /^tick-\d+$/.test(String(l['raw'])), 10_000);
    const first = ticks(follow)[0]!;
    await follow.waitForLog((l) => l['raw'] === `tick-${first + 2}`, 10_000);
    assert.deepEqual(ticks(follow).slice(0, 3), [first, first + 1, first + 2], 'the tail line, then each new line once, in order');
    assert.equal((await ledge([...h, 'stop', '-n', 'ticker', '-t', '1'])).code, 0);
    assert.equal(await withDeadline(follow.exited, 10_000, 'logs -f to end once the container stopped'), 0, 'logs -f ends with 0 once the container stopped');
    assert.equal(follow.stderr.join(''), '');

    assert.equal((await ledge([...h, 'start', '-n', 'ticker'])).code, 0);
    const interrupted = spawnNode(t, bundlePath('ledge'), { args: [...h, 'logs', '-f', '--tail', '0', '-n', 'ticker'] });
    await interrupted.waitForLog((l) => /^tick-\d+$/.test(String(l['raw'])), 10_000);
    assert.equal(await interrupted.kill('SIGINT'), 'SIGINT');
    assert.match((await ledge([...h, 'list', '--filter', 'status=running'])).stdout, / ticker .*\| Running /, 'Ctrl-C ends the follow, not the container');
    assert.equal((await ledge([...h, 'remove', '-f', '-n', 'ticker'])).code, 0);

    // --a: output from the first instant on (the follow opens before the task starts), stderr apart.
    const job = await ledge([...h, 'create', '-n', 'job', '--rp', 'no', '--network', 'host', reg.singleRef, '--', '/bin/sh', '-c', 'echo out-1; echo err-1 >&2; sleep 1; echo out-2; exit 7']);
    assert.equal(job.code, 0, job.stderr);
    assert.deepEqual(await ledge([...h, 'start', '--a', '-n', 'job']), { code: 7, stdout: 'out-1\nout-2\n', stderr: 'err-1\n' });
    assert.match((await ledge([...h, 'list'])).stdout, / job .*\| Exited .*\| 7\n/);
    const again = await ledge([...h, '--debug', 'start', '--a', '-n', 'job']);
    assert.equal(again.code, 7, 'a second attached run of the same container');
    assert.equal(again.stdout, 'out-1\nout-2\n', 'only the new run\'s output, not the log of the first');
    assert.match(again.stderr, /^ledge cm debug: > POST \/v1\/containers\/job\/start\?attach=1 /m);
    assert.match(again.stderr, /^ledge cm debug: < 200 application\/x-ndjson for POST .* in \d+\.\d ms$/m);
    assert.match(again.stderr, /^ledge cm debug: < end of POST .*: \d+ bytes in \d+\.\d ms$/m);
  });
});

// Every verb's --help from the built bundle (Kanto's CLI suite has golden help texts, §8). No daemon needed.
// yargs shows Kanto's one-letter long flags (--t, --i, --e, --a) as -t, -i, -e, -a; both spellings parse.
const GLOBAL_FLAGS = ['--host', '--timeout', '--debug', '--help'];
const VERB_FLAGS: Record<string, string[]> = {
  create: ['-n', '--name', '-t', '-i', '--privileged', '--rp', '--rp-cnt', '--rp-to', '--devices', '--ports', '--network', '--hosts', '--mp', '-e',
    '--log-driver', '--log-max-files', '--log-max-size', '--log-path', '--log-mode', '--log-max-buffer-size', '-m', '--memory', '--memory-reservation',
    '--memory-swap', '--dec-keys', '--dec-recipients', '--cap-add', '-f', '--file'],
  get: ['-n', '--name'],
  list: ['-q', '--quiet', '--filter'],
  logs: ['-n', '--name', '-t', '--tail', '-f', '--follow'],
  remove: ['-n', '--name', '-f', '--force', '-t', '--time'],
  rename: ['-n', '--name'],
  start: ['-n', '--name', '-a', '-i'],
  stop: ['-n', '--name', '-t', '--time', '-f', '--force', '-s', '--signal'],
  update: ['-n', '--name', '--rp', '--rp-cnt', '--rp-to', '-m', '--memory', '--memory-reservation', '--memory-swap'],
  sysinfo: [],
};

/** The flags an Options section lists: `  -n, --name  …` → -n, --name. */
function helpFlags(help: string): Set<string> {
  const section = help.slice(help.indexOf('\nOptions:\n'));
  const flags = new Set<string>();
  for (const m of section.matchAll(/^ {2,6}(-\w)?(?:, )?(--[\w-]+)?\s/gm)) for (const f of [m[1], m[2]]) if (f) flags.add(f);
  return flags;
}

describe('ledge cm --help (built bundle)', { timeout: 60_000 }, () => {
  it('ledge cm --help lists every verb and the global flags', async () => {
    const r = await ledge(['cm', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...r.stdout.matchAll(/^ {2}ledge cm (\w+)/gm)].map((m) => m[1]).sort(), Object.keys(VERB_FLAGS).sort());
    for (const f of GLOBAL_FLAGS) assert.ok(helpFlags(r.stdout).has(f), f);
  });

  for (const [verb, flags] of Object.entries(VERB_FLAGS)) {
    it(`ledge cm ${verb} --help names its §4.3 flags`, async () => {
      const r = await ledge(['cm', verb, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^ledge cm ${verb}\\b`));
      const shown = helpFlags(r.stdout);
      const missing = [...GLOBAL_FLAGS, ...flags].filter((f) => !shown.has(f));
      assert.deepEqual(missing, [], `missing from ledge cm ${verb} --help:\n${r.stdout}`);
    });
  }

  it('refused Kanto flags and bad values exit 2 before the daemon is asked (none runs at /nonexistent)', async () => {
    const h = ['cm', '--host', '/nonexistent/cm.sock'];
    const cases: [string[], RegExp][] = [
      [['create', '--dec-keys', '/k.pem', 'img'], /^ledge cm create: encrypted images are not supported/],
      [['create', '--dec-recipients', 'pkcs7:/c.pem', 'img'], /^ledge cm create: encrypted images are not supported/],
      [['start', '--i', 'x'], /^ledge cm start: --i \(attach stdin\) is not supported/],
      [['start', '--attach', 'x'], /Unknown argument: attach/],
      [['list', '--timeout', 'soon'], /--timeout needs a number/],
      [['create', '--rp', 'sometimes', 'img'], /Invalid values/],
    ];
    for (const [args, message] of cases) {
      const r = await ledge([...h, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});
