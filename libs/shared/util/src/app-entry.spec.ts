// The common log options every app follows (issue 21: logs where there is no journald): logDir and
// logMaxBytes from the file, the shared env, the app's env and flags; a directory that cannot be used
// is a config error (exit 2), not a crash.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareConfig, type AppEntry } from './app-entry';
import { ConfigError } from './config';
import { createTempDir } from './testing/processes';

const entry: AppEntry = { name: 'demo', summary: 'demo', spec: {}, create: () => ({ start: async () => undefined, close: async () => undefined }) };

describe('app entry: the common log options', () => {
  it('logDir and logMaxBytes: default < file < LEDGE_LOG_DIR < the app\'s env < flag', (t) => {
    const dir = createTempDir(t);
    const cfg = (argv: string[], env: Record<string, string> = {}) => prepareConfig(entry, { argv, env, configDir: dir }).config;
    assert.deepEqual([cfg([]).logDir, cfg([]).logMaxBytes], ['', 10 * 1024 * 1024]);
    writeFileSync(join(dir, 'demo.json'), JSON.stringify({ logDir: '/from/file', logMaxBytes: 65536 }));
    assert.deepEqual([cfg([]).logDir, cfg([]).logMaxBytes], ['/from/file', 65536]);
    assert.equal(cfg([], { LEDGE_LOG_DIR: '/shared' }).logDir, '/shared');
    assert.equal(cfg([], { LEDGE_LOG_MAX_BYTES: '100000' }).logMaxBytes, 100000);
    assert.equal(cfg([], { LEDGE_LOG_DIR: '/shared', LEDGE_DEMO_LOG_DIR: '/own' }).logDir, '/own');
    assert.equal(cfg(['--log-dir', '/flag'], { LEDGE_DEMO_LOG_DIR: '/own' }).logDir, '/flag');
    assert.equal(cfg(['--logDir', '/flag2']).logDir, '/flag2');
    assert.throws(() => cfg(['--logMaxBytes', '1000']), (err: Error) => err instanceof ConfigError && /logMaxBytes.*below the minimum 65536/.test(err.message));
    assert.throws(() => cfg([], { LEDGE_LOG_MAX_BYTES: '70000.5' }), /whole number/);
  });

  it('main(): lines go to <logDir>/<app>.log; a logDir that is a file exits 2 with a message', (t) => {
    const dir = createTempDir(t);
    // a one-shot app: logs a line and is done (exit 0)
    const script = join(dir, 'demo-main.ts');
    writeFileSync(
      script,
      `import { main } from ${JSON.stringify(join(dirname(fileURLToPath(import.meta.url)), 'app-entry.ts'))};
void main({ name: 'demo', summary: 'demo', spec: {}, create: (_c, { logger }) => ({ start: async () => logger.info({ n: 1 }, 'hello from demo'), close: async () => undefined, finished: Promise.resolve() }) });
`,
    );
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, LEDGE_DEMO_CONFIG: join(dir, 'none.json'), ...env }, encoding: 'utf8', timeout: 30_000 });
    writeFileSync(join(dir, 'none.json'), '{}');
    const logs = join(dir, 'logs');
    const ok = run(['--log-dir', logs]);
    assert.equal(ok.status, 0, ok.stderr);
    const lines = readFileSync(join(logs, 'demo.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l['msg'] === 'hello from demo' && l['n'] === 1 && l['name'] === 'demo'), JSON.stringify(lines));
    assert.ok(ok.stdout.includes('hello from demo'), 'stdout as before');
    const viaEnv = run([], { LEDGE_LOG_DIR: join(dir, 'env-logs') });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    assert.match(readFileSync(join(dir, 'env-logs', 'demo.log'), 'utf8'), /hello from demo/);

    const bad = run(['--log-dir', join(dir, 'none.json')]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /^ledge-demo: config key 'logDir': cannot write log files in .*none\.json \(not a directory\)/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });
});
