// Every config file is untrusted input: each app's bundle is started with seeded mutants of a config
// file holding all its keys (wrong types, hostile strings, huge numbers, junk keys) and must either
// refuse it with exit code 2 and a one-line message, or run and stop cleanly on SIGTERM, or (when the
// environment, not the file, is wrong: an address that cannot be listened on) log one typed
// `start failed` and exit 1. Never a stack trace on stderr, never an uncaught exception.
// Data directories stay in a temp dir (LEDGE_DEV_DIR; those keys are not mutated), the broker listens on
// port 0, and LEDGE_FUZZ_SEED=random explores other mutants.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { bundlePath, createRng, createTempDir, fuzzSeed, mutate, spawnNode } from '@ledge/shared/util/testing';
import { hostedApps } from './apps';

const MUTANTS_PER_APP = 12;

interface Outcome {
  readonly code: number | string;
  readonly stderr: string;
  /** Log lines at level error or fatal. */
  readonly errors: string[];
}

async function runWithConfig(t: TestContext, app: string, config: unknown, dir: string, n: number): Promise<Outcome> {
  const file = join(dir, `config-${n}.json`);
  writeFileSync(file, JSON.stringify(config));
  const p = spawnNode(t, bundlePath(app), { args: ['--config', file], cwd: dir, env: { LEDGE_DEV_DIR: dir, LEDGE_BROKER_PORT: '0' } });
  const timeout = (ms: number, what: string) => new Promise<string>((r) => setTimeout(() => r(what), ms).unref());
  // Running: started (runMain logs it once the app's start resolved; its SIGTERM handler is in place), or
  // still starting after 20 s (then a SIGTERM must stop it cleanly too). A fixed wait was too short for
  // seven bundles starting at once on a loaded CI machine: they were killed before they could stop.
  const started = p.waitForLog((l) => l['msg'] === 'started', 20_000).then(() => 'running', () => 'running');
  let code = await Promise.race([p.exited, started]);
  if (code === 'running') code = `ran, then ${await Promise.race([p.kill('SIGTERM'), timeout(10_000, 'hung')])}`;
  const atLeastError = (level: unknown) => level === 'error' || level === 'fatal' || (typeof level === 'number' && level >= 50);
  const errors = p.logs.filter((l) => atLeastError(l['level'])).map((l) => JSON.stringify(l));
  return { code, stderr: p.stderr.join(''), errors };
}

/** What the file header promises; a message naming what is wrong otherwise. */
function problem(o: Outcome): string | undefined {
  if (/\n\s+at /.test(o.stderr)) return 'a stack trace on stderr';
  if (o.code === 2) return o.stderr.trim() === '' ? 'exit 2 without a message' : o.errors.length > 0 ? 'exit 2 after an error log' : undefined;
  if (o.code === 'ran, then 0') return o.errors.some((l) => /"level":(60|"fatal")/.test(l)) ? 'a fatal log line while running' : undefined;
  if (o.code === 1 && o.errors.length === 1 && /"msg":"start failed"/.test(o.errors[0]!) && /"code":"LEDGE_[A-Z_]+"/.test(o.errors[0]!)) return undefined;
  return `exit ${o.code}`;
}

describe('config files are untrusted input (every app bundle)', () => {
  it('seeded mutants of each app\'s config: exit 2 with a message, or run and stop cleanly, never a crash', async (t) => {
    const seed = fuzzSeed(21);
    t.diagnostic(`LEDGE_FUZZ_SEED=${seed} replays this run`);
    const failures: string[] = [];
    const counts: Record<string, Record<string, number>> = {};
    await Promise.all(
      hostedApps.map(async (hosted, a) => {
        const entry = await hosted.load();
        const rng = createRng(seed + a);
        const devKeys = Object.keys(entry.devDefaults?.('/dev-dir') ?? {});
        const base: Record<string, unknown> = {};
        for (const [key, field] of Object.entries(entry.spec)) if (!devKeys.includes(key)) base[key] = field.default;
        const dir = createTempDir(t, `ledge-cfg-${hosted.name}-`);
        const c: Record<string, number> = (counts[hosted.name] = {});
        for (let n = 0; n < MUTANTS_PER_APP; n++) {
          const config = mutate(base, rng);
          const o = await runWithConfig(t, hosted.name, config, dir, n);
          c[String(o.code)] = (c[String(o.code)] ?? 0) + 1;
          const p = problem(o);
          if (p !== undefined) failures.push(`${hosted.name}: ${p}\n  config ${JSON.stringify(config).slice(0, 500)}\n  stderr ${o.stderr.slice(0, 500)}\n  log ${o.errors.join('\n').slice(0, 800)}`);
        }
      }),
    );
    t.diagnostic(JSON.stringify(counts));
    assert.deepEqual(failures, []);
  });

  it('values create() refuses are configuration errors too: exit 2 naming the problem', async (t) => {
    const dir = createTempDir(t, 'ledge-cfg-create-');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['connector', { localCACert: join(dir, 'no-such-ca.pem') }, /config key 'localCACert': cannot read .*no-such-ca\.pem \(ENOENT\)/],
      ['software-update', { localUsername: 'ledge-software-update', localPasswordFile: join(dir, 'no-such.password') }, /config key 'localPasswordFile': cannot read .*no-such\.password \(ENOENT\)/],
      ['container-management', { localAddress: 'constructor' }, /config key 'localAddress' \(file [^)]*\): must be <scheme>:\/\/<host>:<port>/],
      ['file-upload', { localCert: join(dir, 'cert.pem') }, /'localCert' and 'localKey': set both/],
      ['container-management', { namespace: 'a\u0000b' }, /config key 'namespace'.*must be a containerd namespace/],
    ];
    let n = 0;
    for (const [app, config, message] of cases) {
      const o = await runWithConfig(t, app, config, dir, n++);
      assert.equal(o.code, 2, `${app} ${JSON.stringify(config)}: ${o.stderr} ${o.errors.join('\n')}`);
      assert.match(o.stderr, message);
      assert.doesNotMatch(o.stderr, /\n\s+at /);
    }
  });
});
