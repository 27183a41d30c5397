// The apps' logs where there is no journald (issue 21) as an operator meets them: `ledge run --dev` writes
// every hosted app's JSON lines to <dev dir>/logs/ledge.log (besides stdout), and `ledge logs <app>
// --log-dir` reads an app's lines back out of it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/shared/util/testing';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const ledge = (args: string[], env: Record<string, string | undefined>): Promise<Run> =>
  new Promise((resolve) =>
    execFile(process.execPath, [bundlePath('ledge'), ...args], { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    ),
  );

const parse = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('log files without journald', { timeout: 120_000 }, () => {
  it('ledge run --dev writes both apps\' lines to <dev dir>/logs/ledge.log; ledge logs reads them back', async (t) => {
    const dev = createTempDir(t, 'ledge-logfiles-');
    writeFileSync(join(dev, 'empty.json'), '{}');
    // no /etc/ledge/local-bus.json of this machine, no LEDGE_LOG_DIR of the one running the tests; any free port
    const env = { ...process.env, LEDGE_LOCAL_BUS_CONFIG: join(dev, 'empty.json'), LEDGE_BROKER_PORT: '0', LEDGE_LOG_DIR: undefined };
    const run = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'broker,file-upload', '--dev', '--dev-dir', dev], env });
    await run.waitForLog((l) => l['msg'] === 'reporting health' && l['app'] === 'file-upload', 30_000);

    const file = join(dev, 'logs', 'ledge.log');
    const lines = await waitFor(
      () => {
        const ls = parse(readFileSync(file, 'utf8'));
        return ls.some((l) => l['app'] === 'broker') && ls.some((l) => l['app'] === 'file-upload' && l['msg'] === 'reporting health') ? ls : undefined;
      },
      10_000,
      'both apps in ledge.log',
    );
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.equal(statSync(join(dev, 'logs')).mode & 0o777, 0o750);
    for (const l of lines) assert.deepEqual([l['name'], l['pid'], typeof l['time']], ['ledge', run.child.pid, 'string']);
    // the same lines as on stdout (JSON there too: not a terminal)
    const start = lines.find((l) => l['msg'] === 'starting ledge');
    assert.deepEqual(start?.['logDir'], join(dev, 'logs'));
    assert.ok(run.logs.some((l) => l['msg'] === 'starting ledge' && l['time'] === start?.['time']));

    const logs = await ledge(['logs', 'broker', '--log-dir', join(dev, 'logs'), '-n', '5'], env);
    assert.equal(logs.code, 0, logs.stderr);
    const printed = parse(logs.stdout);
    assert.equal(printed.length, 5, logs.stdout);
    for (const l of printed) assert.equal(l['app'], 'broker', JSON.stringify(l));
    const fu = parse((await ledge(['logs', 'file-upload', '--log-dir', join(dev, 'logs'), '-n', '1000'], env)).stdout);
    assert.ok(fu.length > 0 && fu.every((l) => l['app'] === 'file-upload'));
    assert.ok(fu.some((l) => l['msg'] === 'reporting health'));

    const none = await ledge(['logs', 'broker', '--log-dir', join(dev, 'no-such')], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /ledge logs: no Ledge log files: cannot read the log directory/);
    assert.equal(await run.kill(), 0);
    assert.ok(parse(readFileSync(file, 'utf8')).some((l) => l['msg'] === 'stopped'), 'the last line is in the file too');
  });
});
