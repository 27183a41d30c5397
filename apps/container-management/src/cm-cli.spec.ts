// `ledge cm` against the daemon's local API in one process: the real CLI code and local API, the
// in-memory container runtime. The containerd-backed run is cm-cli.int.spec.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { LogLine } from '@ledge/container-management/model-containers';
import { runCm } from './testing/cm-cli-run';
import { createContainerManager, createContainerStore, createLocalApi, type ContainerManager } from '@ledge/container-management/feature-containers';
import { createMemoryRuntime, type MemoryRuntime } from '@ledge/container-management/feature-containers/testing';
import { createTempDir } from '@ledge/shared/util/testing';

const cli = runCm;

async function setup(t: TestContext, logs?: MemoryRuntime['logs']) {
  const dir = createTempDir(t);
  const memory = createMemoryRuntime();
  // Pulls report progress as containerd's do: a few steps, the last one complete.
  const runtime: MemoryRuntime = {
    ...memory,
    async pullImage(ref, opts) {
      for (const done of [0, 512, 1024]) opts?.onProgress?.({ ref, totalBytes: 1024, doneBytes: done, layers: [] });
      return memory.pullImage(ref, opts);
    },
    ...(logs ? { logs } : {}),
  };
  const manager = createContainerManager({ runtime, store: createContainerStore(join(dir, 'home')), defaultStopTimeoutMs: 1000, restartDelayMs: 0 });
  await manager.start();
  const sock = join(dir, 'cm.sock');
  const api = createLocalApi({ socketPath: sock, manager, runtime, version: '9.9.9', exitDrainMs: 0 });
  await api.start();
  t.after(async () => {
    await api.close();
    await manager.close();
  });
  return { sock, dir, manager, runtime, memory };
}

describe('ledge cm over the local API (memory runtime)', () => {
  it('create → list → get → stop → update → rename → remove, with Kanto-style output', async (t) => {
    const { sock, manager } = await setup(t);
    const h = ['cm', '--host', sock];
    assert.deepEqual(await cli([...h, 'list']), { code: 0, stdout: 'No containers found.\n', stderr: '' });

    const created = await cli([...h, 'create', '-n', 'web', '--start', '--e', 'A=1', '--e', 'B=2', '--ports', '80:8080', '--rp', 'no', 'reg/test/app:1', '--', 'sh', '-c', 'echo hi']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    const rec = manager.get(id);
    assert.deepEqual(rec.config.cmd, ['sh', '-c', 'echo hi']);
    assert.deepEqual(rec.config.env, ['A=1', 'B=2']);
    assert.equal(rec.config.portMappings[0]!.containerPort, 8080);
    assert.equal(rec.config.restartPolicy.type, 'no');

    const list = await cli([...h, 'list']);
    assert.match(list.stdout, /^ID +\| Name +\| Image +\| Status +\| Finished At +\| Exit Code\n/);
    assert.match(list.stdout, new RegExp(`${id} \\| web +\\| reg/test/app:1 \\| Running `));
    assert.equal((await cli([...h, 'list', '-q'])).stdout, `${id}\n`);
    assert.equal((await cli([...h, 'list', '--filter', 'status=stopped'])).stdout, 'No containers found.\n');

    const got = await cli([...h, 'get', '-n', 'web']);
    assert.equal((JSON.parse(got.stdout) as { id: string }).id, id);

    assert.equal((await cli([...h, 'remove', id])).code, 1, 'running container needs -f');
    assert.equal((await cli([...h, 'stop', id, '-t', '1'])).code, 0);
    assert.equal(manager.get(id).state.status, 'STOPPED');
    const again = await cli([...h, 'stop', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^ledge cm stop: container with ID = .* is not running/);
    assert.equal((await cli([...h, 'update', id, '--rp', 'on-failure', '--rp-cnt', '4', '-m', '64M'])).code, 0);
    assert.deepEqual(manager.get(id).config.restartPolicy, { type: 'on-failure', maxRetryCount: 4, retryTimeoutSeconds: 30 });
    assert.equal((await cli([...h, 'rename', id, 'web2'])).code, 0);
    assert.equal((await cli([...h, 'rename', '-n', 'web2', 'web3'])).code, 0);
    assert.equal(manager.get(id).config.name, 'web3');
    assert.equal((await cli([...h, 'start', '-n', 'web3'])).code, 0);
    assert.equal((await cli([...h, 'remove', '-f', '-n', 'web3'])).code, 0);
    assert.equal(manager.list().length, 0);
    const missing = await cli([...h, 'get', id]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
  });

  it('create -f <descriptor>; sysinfo; LEDGE_CM_HOST names the socket', async (t) => {
    const { sock, dir, manager } = await setup(t);
    const file = join(dir, 'influx.json');
    writeFileSync(file, JSON.stringify({ container_name: 'influxdb', image: { name: 'docker.io/library/influxdb:1.8.4' }, host_config: { network_mode: 'host' } }));
    const created = await cli(['cm', 'create', '-f', file], { LEDGE_CM_HOST: sock });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(manager.get(created.stdout.trim()).config.networkMode, 'host');
    const info = await cli(['cm', '--host', sock, 'sysinfo']);
    assert.match(info.stdout, /^Version: 9\.9\.9\nAPI: v1\nEngine: containerd memory/);
  });

  it('pull progress: a redrawn bar on a terminal, plain lines otherwise; stdout has only the ID', async (t) => {
    const { sock } = await setup(t);
    const tty = await cli(['cm', '--host', sock, 'create', 'reg/a:1'], {}, true);
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stdout, /^[0-9a-f-]{36}\n$/);
    assert.match(tty.stderr, /^\rpulling reg\/a:1 \[.*\r.*100% 1\.0 KiB\/1\.0 KiB\n$/s);
    const plain = await cli(['cm', '--host', sock, 'create', 'reg/b:1']);
    assert.doesNotMatch(plain.stderr, /\r/);
    assert.match(plain.stderr, /pulling reg\/b:1 \[=+\] 100% 1\.0 KiB\/1\.0 KiB\n$/);
  });

  it('exit codes: unreachable daemon 1 naming the socket, usage errors 2', async (t) => {
    const { sock, dir } = await setup(t);
    const down = await cli(['cm', '--host', join(dir, 'nope.sock'), 'list']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the container-management daemon at .*nope\.sock/);
    for (const args of [['list', '--filter', 'color=red'], ['create'], ['create', '--ports', 'x', 'img'], ['get'], ['update', 'x'], ['logs', 'x', '-t', '-5'], ['frobnicate'], ['create', '-f', join(dir, 'missing.json')]]) {
      const r = await cli(['cm', '--host', sock, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')} → ${JSON.stringify(r)}`);
      assert.notEqual(r.stderr, '');
    }
    const bad = await cli(['cm', '--host', sock, 'create', '-m', '1k', 'img']);
    assert.equal(bad.code, 1, 'the daemon refuses an invalid size');
    assert.match(bad.stderr, /memory/);
  });

  /** Resolves once container `id` is RUNNING (at once when it is), or on abort: from the manager's events. */
  const untilRunning = (manager: ContainerManager, id: string, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const running = () => manager.get(id).state.status === 'RUNNING';
      if (running() || signal?.aborted) return resolve();
      const off = manager.onEvent((e) => e.type === 'state' && running() && done());
      const done = () => {
        off();
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
    });

  // A runtime whose log has one old line; a follow yields the new task's output once it runs, then
  // waits for the abort, as the json-file follow does. `shown` settles once the reader has taken both new
  // lines (the generator goes on only when asked for the next line): they are written ahead of any end.
  const liveLogs = (whenRunning: (signal?: AbortSignal) => Promise<void>) => {
    let taken: () => void = () => undefined;
    const shown = new Promise<void>((r) => (taken = r));
    const logs: MemoryRuntime['logs'] = (_id, _cfg, opts) =>
      (async function* (): AsyncGenerator<LogLine> {
        if (opts.tail !== 0) yield { stream: 'stdout', time: 't0', log: 'old\n' };
        if (!opts.follow) return;
        await whenRunning(opts.signal);
        yield { stream: 'stdout', time: 't1', log: 'hello\n' };
        yield { stream: 'stderr', time: 't2', log: 'oops\n' };
        taken();
        await new Promise<void>((r) => (opts.signal?.aborted ? r() : opts.signal?.addEventListener('abort', () => r())));
      })();
    return { logs, shown };
  };

  // The two tests below wait for events, each with a deadline: one that never comes fails the test instead of hanging it.
  it('start --a: the new output until the container exits, then its exit code; --i refused with 2', { timeout: 10_000 }, async (t) => {
    let id = '';
    const live = liveLogs((signal) => untilRunning(manager, id, signal));
    const { sock, manager, memory } = await setup(t, live.logs);
    const h = ['cm', '--host', sock];
    id = (await cli([...h, 'create', '-n', 'job', 'reg/a:1'])).stdout.trim();
    const attached = cli([...h, 'start', '-n', 'job', '--a']);
    await live.shown; // running, and its output is on its way
    memory.exit(id, 3); // the default policy (unless-stopped) restarts it: attach ends at this first exit
    assert.deepEqual(await attached, { code: 3, stdout: 'hello\n', stderr: 'oops\n' });
    await untilRunning(manager, id); // the policy's restart

    const running = await cli([...h, 'start', '--a', id]);
    assert.equal(running.code, 1, 'a running container is refused before any output');
    assert.match(running.stderr, /^ledge cm start: .*already running/);

    await cli([...h, 'stop', id]);
    const stdin = await cli([...h, 'start', '-n', 'job', '--i']);
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /--i \(attach stdin\) is not supported: the daemon starts tasks with stdin \/dev\/null/);
    assert.equal(manager.get(id).state.status, 'STOPPED', '--i started nothing');
  });

  it('logs -f ends when the container stops; on a stopped container after the history', { timeout: 10_000 }, async (t) => {
    let id = '';
    const live = liveLogs((signal) => untilRunning(manager, id, signal));
    const { sock, manager } = await setup(t, live.logs);
    const h = ['cm', '--host', sock];
    id = (await cli([...h, 'create', '--start', '-n', 'web', 'reg/a:1'])).stdout.trim();
    const followed = cli([...h, 'logs', '-f', '-n', 'web']);
    await live.shown; // the follow has written its lines
    assert.equal((await cli([...h, 'stop', id])).code, 0);
    assert.deepEqual(await followed, { code: 0, stdout: 'old\nhello\n', stderr: 'oops\n' });
    assert.deepEqual(await cli([...h, 'logs', '-f', id]), { code: 0, stdout: 'old\n', stderr: '' });
  });

  it('create --dec-keys / --dec-recipients / -f with decrypt_config: refused with 2, nothing created', async (t) => {
    const { sock, dir, manager } = await setup(t);
    const file = join(dir, 'enc.json');
    writeFileSync(file, JSON.stringify({ container_name: 'enc', image: { name: 'reg/enc:1', decrypt_config: { keys: ['/k.pem'] } } }));
    for (const args of [['--dec-keys', '/k.pem:secret', 'reg/enc:1'], ['--dec-recipients', 'pkcs7:/c.pem', 'reg/enc:1'], ['-f', file]]) {
      const r = await cli(['cm', '--host', sock, 'create', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^ledge cm create: encrypted images are not supported/);
    }
    assert.equal(manager.list().length, 0);
  });

  it('--debug (or LEDGE_CM_DEBUG) traces each request and response with timings on stderr', async (t) => {
    const { sock } = await setup(t);
    const quiet = await cli(['cm', '--host', sock, 'list']);
    assert.equal(quiet.stderr, '');
    for (const [args, env] of [[['cm', '--debug', '--host', sock, 'list'], {}], [['cm', '--host', sock, 'list'], { LEDGE_CM_DEBUG: '1' }]] as const) {
      const r = await cli([...args], env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'No containers found.\n', 'the trace stays off stdout');
      const trace = r.stderr.trimEnd().split('\n');
      assert.equal(trace[0], `ledge cm debug: > GET /v1/containers (${sock})`);
      assert.match(trace[1]!, /^ledge cm debug: < 200 application\/json for GET \/v1\/containers in \d+\.\d ms$/);
      assert.ok(trace.some((l) => l === 'ledge cm debug: < GET /v1/containers body {"containers":[]}'), r.stderr);
    }
    const created = await cli(['cm', '--debug', '--host', sock, 'create', '-n', 'x', 'reg/a:1']);
    assert.match(created.stderr, /> POST \/v1\/containers \(.*\) \{"descriptor":\{"container_name":"x","image":\{"name":"reg\/a:1"\}\}/);
    assert.match(created.stderr, /< end of POST \/v1\/containers: \d+ bytes in \d+\.\d ms/);
  });

  it('bad values and unknown flags: exit code 2 with a message, nothing sent', async (t) => {
    const { sock, manager } = await setup(t);
    for (const args of [['--timeout', 'soon', 'list'], ['create', '--rp-cnt', 'x', 'img'], ['create', '--log-max-files', 'many', 'img'], ['stop', 'x', '-t', 'later'], ['list', '--bogus'], ['start', 'x', '--attach-all'], ['create', '--rp', 'sometimes', 'img'], ['logs', 'x', '--tail', 'all']]) {
      const r = await cli(['cm', '--host', sock, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')} → ${JSON.stringify(r)}`);
      assert.match(r.stderr, /needs a number|Unknown argument|Invalid values|must be an integer/, args.join(' '));
    }
    assert.equal(manager.list().length, 0);
  });
});
