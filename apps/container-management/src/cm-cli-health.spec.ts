// `ledge cm` and health checks (issue 18), in one process: the real CLI and local API, the in-memory
// runtime and fake time for the probes. The --health-* flags reach the daemon as the descriptor's
// health_check; list shows the health in Status (`Running (healthy)`), get in `health`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { runCm } from './testing/cm-cli-run';
import { createContainerManager, createContainerStore, createLocalApi } from '@ledge/container-management/feature-containers';
import { createMemoryRuntime } from '@ledge/container-management/feature-containers/testing';
import { createFakeTime, createTempDir, onCleanup } from '@ledge/shared/util/testing';

const cli = runCm;

async function setup(t: TestContext) {
  const dir = createTempDir(t);
  const time = createFakeTime();
  const runtime = createMemoryRuntime();
  const manager = createContainerManager({ runtime, store: createContainerStore(join(dir, 'home')), defaultStopTimeoutMs: 1000, restartDelayMs: 0, now: time.clock.now, scheduler: time.scheduler });
  await manager.start();
  const sock = join(dir, 'cm.sock');
  const api = createLocalApi({ socketPath: sock, manager, runtime, version: '9.9.9', exitDrainMs: 0 });
  await api.start();
  onCleanup(t, async () => {
    await api.close();
    await manager.close();
  });
  return { h: ['cm', '--host', sock], dir, manager, runtime, time };
}

it('create --health-*: the check reaches the daemon, list and get show the health', async (t) => {
  const { h, manager, runtime, time } = await setup(t);
  const created = await cli([...h, 'create', '-n', 'web', '--start', '--rp', 'on-unhealthy', '--health-cmd', 'wget -q -O- http://127.0.0.1/', '--health-interval', '2s', '--health-retries', '1', 'reg/test/web:1']);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.deepEqual(manager.get(id).config.healthCheck, { kind: 'exec', command: ['/bin/sh', '-c', 'wget -q -O- http://127.0.0.1/'], intervalMs: 2000, timeoutMs: 5000, retries: 1, startPeriodMs: 0 });
  assert.match((await cli([...h, 'list'])).stdout, / \| Running \(starting\) +\| /);
  await time.advance(2000);
  assert.match((await cli([...h, 'list'])).stdout, / \| Running \(healthy\) +\| /);
  assert.equal((await cli([...h, 'list', '-q', '--filter', 'health=healthy'])).stdout, `${id}\n`);
  const got = JSON.parse((await cli([...h, 'get', '-n', 'web'])).stdout) as { config: Record<string, unknown>; health: Record<string, unknown> };
  assert.deepEqual(got.config['healthCheck'], { type: 'EXEC', command: ['/bin/sh', '-c', 'wget -q -O- http://127.0.0.1/'], interval: '2s', timeout: '5s', retries: 1, startPeriod: '0s' });
  assert.deepEqual(got.config['restartPolicy'], { type: 'ON_UNHEALTHY' });
  assert.deepEqual([got.health['status'], got.health['failingStreak']], ['healthy', 0]);
  runtime.scriptExec(id, { exitCode: 1, output: 'wget: server returned error: HTTP/1.1 503\n' });
  await time.advance(2000);
  const sick = JSON.parse((await cli([...h, 'get', id])).stdout) as { health: Record<string, unknown> };
  assert.equal(sick.health['lastOutput'], 'wget: server returned error: HTTP/1.1 503\n');
});

it('create -f takes --health-* over the file; bad health flags are usage errors (exit code 2) naming the flag', async (t) => {
  const { h, dir, manager } = await setup(t);
  const file = join(dir, 'db.json');
  writeFileSync(file, JSON.stringify({ container_name: 'db', image: { name: 'reg/test/db:1' }, health_check: { type: 'exec', command: 'true' } }));
  const created = await cli([...h, 'create', '-f', file, '--health-tcp', '5432']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(manager.get(created.stdout.trim()).config.healthCheck?.kind, 'tcp');
  const cases: [string[], RegExp][] = [
    [['--health-interval', '5s'], /--health-interval: needs one of --health-cmd, --health-http, --health-tcp/],
    [['--health-http', '80', '--health-tcp', '80'], /give only one of/],
    [['--health-tcp', '80', '--health-timeout', '5'], /--health-timeout: must be a duration/],
    [['--health-tcp', '80', '--health-retries', 'x'], /--health-retries needs a number/],
    [['--rp', 'on-unhealthy'], /ON_UNHEALTHY needs a health check/],
  ];
  for (const [flags, re] of cases) {
    const r = await cli([...h, 'create', ...flags, 'reg/test/x:1']);
    assert.match(r.stderr, re, flags.join(' '));
    assert.equal(r.code, re.source.startsWith('ON_UNHEALTHY') ? 1 : 2, `${flags.join(' ')}: ${r.stderr}`);
  }
});
