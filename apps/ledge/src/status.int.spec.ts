// `ledge status` (issue 21) against the real stack: `ledge run` with the broker, the connector, file
// upload and software update, a Mosquitto playing the cloud. Exit 0 with every app up and the link
// connected, and software update's last (failed) operation shown without being a problem; exit 1 naming
// the problem when the cloud goes away, and when there is no broker at all; exit 2 on a bad flag.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectorCloudEnv, findMosquitto, freePort, startCloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';

const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// no /etc/ledge/local-bus.json of this machine: an empty shared file
let noSharedFile: Record<string, string> = {};
const status = (args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(process.execPath, [bundlePath('ledge'), 'status', ...args], { env: { ...process.env, ...noSharedFile }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    ),
  );

interface Report {
  bus: { reachable: boolean };
  cloud?: { connected: boolean; cause?: string };
  apps: Record<string, { status: string; pid: number; stats?: Record<string, number>; lastOperation?: Record<string, unknown> }>;
  containers?: { unavailable?: string };
  disk: { path: string; bytes: number }[];
  problems: string[];
}

describe('ledge status', { skip, timeout: 180_000 }, () => {
  it('exit 0 when all is well, 1 naming what is down, 2 on a bad flag', async (t) => {
    const dev = createTempDir(t, 'ledge-status-');
    writeFileSync(join(dev, 'empty.json'), '{}');
    noSharedFile = { LEDGE_LOCAL_BUS_CONFIG: join(dev, 'empty.json') };
    const port = await freePort();
    const address = `tcp://127.0.0.1:${port}`;
    const none = await status(['--address', address, '--json']);
    assert.equal(none.code, 1, none.stderr);
    const unreachable = JSON.parse(none.stdout) as Report;
    assert.equal(unreachable.bus.reachable, false);
    assert.match(unreachable.problems[0]!, /unreachable/);
    assert.equal((await status(['--wait', '-5'])).code, 2);
    assert.match((await status(['--address', 'http://x'])).stderr, /ledge status: --address "http:\/\/x" unsupported scheme/);

    // Software update's state from an earlier run (`--dev`: its storage is <dev>/software-update): a failed
    // install, stored with the time it finished. Its health reports it from the start.
    const failed = { correlationId: 'cid-status', status: 'FINISHED_ERROR', softwareModule: { name: 'hello', version: '1.0.0' }, message: 'fail to download module' };
    mkdirSync(join(dev, 'software-update'), { recursive: true });
    writeFileSync(join(dev, 'software-update', 'last-operation.json'), JSON.stringify({ lastOperation: failed, lastFailedOperation: failed, finishedAt: 1_796_000_050 }));

    const cloud = await startCloudBroker(t);
    const env = { ...connectorCloudEnv(cloud), LEDGE_BROKER_PORT: String(port), LEDGE_CONNECTOR_BACKOFF_INITIAL: '0.2', LEDGE_CONNECTOR_BACKOFF_MAX: '0.5' };
    const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'broker,connector,file-upload,software-update', '--dev', '--dev-dir', dev], env });
    await ledge.waitForLog((l) => l['msg'] === 'reporting health' && l['app'] === 'software-update', 30_000);
    const args = ['--address', address, '--data-dir', dev, '--cm-host', `${dev}/no-such.sock`, '--wait', '300'];
    // Exit 0 alone is not the state asserted below: the cloud link (the connector's main connection) can be
    // up before the connector's health connection has said so, and a broker answer later than --wait
    // leaves its retained stats of an earlier moment. Wait for every app and the broker's fresh count.
    const ok = await waitFor(async () => {
      const r = await status([...args, '--json']);
      if (r.code !== 0) return undefined;
      const rep = JSON.parse(r.stdout) as Report;
      return Object.keys(rep.apps).length === 4 && (rep.apps['broker']?.stats?.['clients'] ?? 0) >= 7 ? r : undefined;
    }, 60_000, 'ledge status exit 0 with four apps and the broker counting their connections');
    const report = JSON.parse(ok.stdout) as Report;
    assert.deepEqual(Object.keys(report.apps).sort(), ['broker', 'connector', 'file-upload', 'software-update']);
    for (const h of Object.values(report.apps)) assert.deepEqual([h.status, h.pid], ['up', ledge.child.pid]);
    assert.equal(report.cloud?.connected, true);
    // the broker answered the request with its load: the connector's, file upload's and software update's
    // two connections each (the app's own and its health's) and this status client
    assert.ok((report.apps['broker']!.stats?.['clients'] ?? 0) >= 7, JSON.stringify(report.apps['broker']));
    // a failed last update is in the report but not among its problems (exit 0 above)
    assert.deepEqual(report.apps['software-update']!.lastOperation, { correlationId: 'cid-status', status: 'FINISHED_ERROR', at: 1_796_000_050, module: 'hello:1.0.0', message: 'fail to download module' });
    assert.deepEqual(report.problems, []);
    assert.equal(typeof report.apps['broker']!.stats?.['queued'], 'number');
    assert.match(report.containers?.unavailable ?? '', /cannot reach the container-management daemon/);
    assert.ok(report.disk.some((d) => d.path === `${dev}/broker` && d.bytes > 0), JSON.stringify(report.disk));
    const text = await status(args);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Cloud: {6}connected/m);
    assert.match(text.stdout, /^ {2}file-upload +up {4}pid \d+/m);
    assert.match(text.stdout, /^Last update: hello:1\.0\.0 FINISHED_ERROR at 2026-11-30T00:54:10Z \(fail to download module\)$/m);
    assert.match(text.stdout, /^Status: {5}OK$/m);

    await cloud.stop('SIGTERM');
    const down = await waitFor(async () => {
      const r = await status([...args, '--json']);
      return r.code === 1 ? r : undefined;
    }, 30_000, 'ledge status exit 1 with the cloud gone');
    assert.deepEqual((JSON.parse(down.stdout) as Report).problems.filter((p) => p.startsWith('cloud link down')).length, 1, down.stdout);
  });
});
