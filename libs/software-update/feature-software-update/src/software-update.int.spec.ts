// The shipped bundle (dist/apps/software-update/main.js) against a real Mosquitto and a misbehaving
// artifact server on loopback. The test plays the connector: it answers edge/thing/request, sends Ditto
// live messages on command///req/… and reads twin modifies from `event` and responses from command///res/….
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createLocalBusClient } from '@ledge/shared/data-access-mqtt';
import { findMosquitto, startMosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { startArtifactServer, type ArtifactServer } from '@ledge/software-update/data-access-download/testing';
import { distinctStatuses } from '@ledge/software-update/model-software-update';
import { bundlePath, createRng, createTempDir, fuzzSeed, mutate, notJson, spawnNode, waitFor, type Spawned, skipUnlessTools } from '@ledge/shared/util/testing';

const skip = skipUnlessTools('mosquitto', findMosquitto() === undefined) || skipUnlessTools('the software-update bundle (node tools/build-app.mjs software-update)', !existsSync(bundlePath('software-update')));
const DEVICE = 'demo:device';

interface Envelope {
  topic: string;
  path: string;
  value?: unknown;
  status?: number;
  headers?: Record<string, unknown>;
}

interface Health {
  status: string;
  pid: number;
  lastOperation?: { correlationId: string; status: string; at: number; module?: string; message?: string };
}

async function fixture(t: TestContext) {
  // Registered first, so it runs before the temp dirs are removed (after-hooks run in order).
  const daemons: Spawned[] = [];
  t.after(async () => {
    for (const d of daemons) await d.kill('SIGKILL');
  });
  const broker = await startMosquitto(t);
  const bus = createLocalBusClient({ url: broker.url, clientId: `test-${randomBytes(3).toString('hex')}` });
  t.after(() => bus.close());
  await bus.start();
  await bus.waitForConnection();
  const events: Envelope[] = [];
  const healths: Health[] = [];
  const responses: { topic: string; env: Envelope }[] = [];
  bus.onMessage('edge/thing/request', () => void bus.publish('edge/thing/response', JSON.stringify({ deviceId: DEVICE, tenantId: 'demo' })));
  bus.onMessage('event', (_topic, payload) => void events.push(JSON.parse(payload.toString()) as Envelope));
  bus.onMessage('command///res/#', (topic, payload) => void responses.push({ topic, env: JSON.parse(payload.toString()) as Envelope }));
  bus.onMessage('edge/health/software-update', (_topic, payload) => void (payload.length > 0 && healths.push(JSON.parse(payload.toString()) as Health)));
  await bus.subscribe(['edge/thing/request', 'event', 'command///res/#', 'edge/health/software-update'], { qos: 1 });
  const storage = createTempDir(t, 'ledge-su-');
  const spawnDaemon = (env: Record<string, string> = {}) => {
    const p = spawnNode(t, bundlePath('software-update'), {
      env: {
        LEDGE_SOFTWARE_UPDATE_BROKER: broker.url,
        LEDGE_SOFTWARE_UPDATE_STORAGE_LOCATION: storage,
        LEDGE_SOFTWARE_UPDATE_ARTIFACT_TYPE: 'plain',
        LEDGE_SOFTWARE_UPDATE_DOWNLOAD_RETRY_INTERVAL: '100ms',
        LEDGE_SOFTWARE_UPDATE_DOWNLOAD_STALL_TIMEOUT: '2s',
        LEDGE_SOFTWARE_UPDATE_MIN_FREE_SPACE: '0',
        LEDGE_SOFTWARE_UPDATE_LOG_LEVEL: 'debug',
        LEDGE_DEV_DIR: undefined,
        ...env,
      },
    });
    daemons.push(p);
    return p;
  };
  const lastOps = (cid?: string) =>
    events
      .filter((e) => e.path === '/features/SoftwareUpdatable/properties/status/lastOperation')
      .map((e) => e.value as { correlationId: string; status: string; progress?: number; message?: string; statusCode?: string })
      .filter((v) => cid === undefined || v.correlationId === cid);
  const send = async (op: string, value: unknown, reqId = randomUUID()) => {
    const env = {
      topic: `demo/device/things/live/messages/${op}`,
      headers: { 'correlation-id': reqId, 'response-required': true, 'content-type': 'application/json' },
      path: `/features/SoftwareUpdatable/inbox/messages/${op}`,
      value,
    };
    await bus.publish(`command///req/${reqId}/${op}`, typeof value === 'string' && value.startsWith('RAW:') ? value.slice(4) : JSON.stringify(env), { qos: 1 });
    const r = await waitFor(() => responses.find((x) => x.topic.startsWith(`command///res/${reqId}/`)), 10_000, `response to ${op}`);
    return r;
  };
  const finished = (cid: string, timeoutMs = 30_000) => waitFor(() => lastOps(cid).find((v) => v.status.startsWith('FINISHED_')), timeoutMs, `FINISHED_* of ${cid}`);
  return { broker, bus, events, healths, responses, storage, spawnDaemon, lastOps, send, finished };
}

function installValue(srv: ArtifactServer, cid: string, files: Record<string, Buffer | string>, sha256?: string) {
  return {
    correlationId: cid,
    weight: 0,
    forced: false,
    metadata: {},
    softwareModules: [
      {
        softwareModule: { name: 'install-hello', version: '1.0.0' },
        metaData: { 'artifact-type': 'plain' },
        artifacts: Object.entries(files).map(([name, body]) => {
          const a = srv.add(`/${cid}/${name}`, Buffer.from(body));
          return { filename: name, size: a.size, download: { HTTP: { url: a.url } }, checksums: { SHA256: sha256 ?? a.sha256, MD5: a.md5 } };
        }),
      },
    ],
  };
}

const SCRIPT = (marker: string) => `#!/bin/sh
printf 'progress=40\\nmessage=configuring\\n' > status
sleep 0.6
printf 'progress=80\\nmessage=almost\\nstatusCode=0\\n' > status
sleep 0.6
mkdir -p installed-deps
printf 'group=demo\\nname=hello\\nversion=1.0.0\\n' > installed-deps/hello.prs
echo ran > ${marker}
`;

describe('software-update daemon (bundle, Mosquitto, artifact server)', { skip }, () => {
  it('registers the feature, installs with the full status sequence and script progress; bad payloads get 400', async (t) => {
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    const daemon = f.spawnDaemon();
    const reg = await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    assert.equal(reg.topic, 'demo/device/things/twin/commands/modify');
    assert.deepEqual((reg.value as { definition: string[] }).definition, ['org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0']);
    assert.equal((reg.value as { properties: { status: { softwareModuleType: string } } }).properties.status.softwareModuleType, 'software');

    // Bad payloads: 400 messages:parameter.invalid, the daemon keeps running.
    const bad: unknown[] = [{}, { softwareModules: [] }, installValue(srv, 'x', { '../evil': 'x' }), 42, { softwareModules: [{ softwareModule: { name: 'm', version: '1' }, artifacts: [{ filename: 'a', download: { HTTPS: { url: 'javascript:x' } }, checksums: { MD5: 'x' } }] }] }];
    for (const value of bad) {
      const r = await f.send('install', value);
      assert.match(r.topic, /\/400$/, JSON.stringify(value).slice(0, 80));
      assert.equal((r.env.value as { error: string }).error, 'messages:parameter.invalid');
    }
    // An envelope that is not JSON cannot be answered (no topic, no correlation-id): ignored, no crash.
    await f.bus.publish('command///req/garbage/install', '{not json', { qos: 1 });
    const unknown = await f.send('cancel', {});
    assert.match(unknown.topic, /\/404$/);

    const marker = join(createTempDir(t), 'marker');
    const ok = await f.send('install', installValue(srv, 'cid-ok', { 'install.sh': SCRIPT(marker) }));
    assert.match(ok.topic, /\/204$/);
    const end = await f.finished('cid-ok');
    assert.equal(end.status, 'FINISHED_SUCCESS');
    const seq = f.lastOps('cid-ok');
    assert.deepEqual(distinctStatuses(seq), ['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'INSTALLED', 'FINISHED_SUCCESS']);
    assert.ok(seq.some((v) => v.status === 'INSTALLING' && v.progress === 40 && v.message === 'configuring'));
    assert.ok(seq.some((v) => v.status === 'INSTALLING' && v.progress === 80 && v.message === 'almost'));
    const deps = f.events.find((e) => e.path === '/features/SoftwareUpdatable/properties/status/installedDependencies');
    assert.deepEqual(deps?.value, { '0': { group: 'demo', name: 'hello', version: '1.0.0' } });
    assert.ok(existsSync(marker));
    // The operation's directory goes right after the final status (published first, so it is never lost).
    await waitFor(() => readdirSync(join(f.storage, 'download')).length === 0, 5_000, 'working directory cleaned');
    assert.ok(daemon.child.exitCode === null, 'still running');

    // correlationID (upper-case D) is accepted too.
    const v = installValue(srv, 'cid-upper', { 'install.sh': 'exit 0\n' }) as Record<string, unknown>;
    delete v['correlationId'];
    v['correlationID'] = 'cid-upper';
    assert.match((await f.send('install', v)).topic, /\/204$/);
    assert.equal((await f.finished('cid-upper')).status, 'FINISHED_SUCCESS');
  });

  it('re-registers the feature when the identity changes', async (t) => {
    const f = await fixture(t);
    f.spawnDaemon();
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    await f.bus.publish('edge/thing/response', JSON.stringify({ deviceId: 'demo:renamed', tenantId: 'demo' }));
    const again = await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable' && e.topic.startsWith('demo/renamed/')), 15_000, 'registration on the new thing');
    assert.equal(again.topic, 'demo/renamed/things/twin/commands/modify');
  });

  it('checksum mismatch → FINISHED_ERROR (lastFailedOperation too), the script never runs; its health carries it, after a restart too', async (t) => {
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    const daemon = f.spawnDaemon();
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    const marker = join(createTempDir(t), 'marker');
    await f.send('install', installValue(srv, 'cid-bad', { 'install.sh': SCRIPT(marker) }, 'f'.repeat(64)));
    const end = await f.finished('cid-bad');
    assert.equal(end.status, 'FINISHED_ERROR');
    assert.equal(end.message, 'fail to download module');
    const failed = f.events.filter((e) => e.path.endsWith('/lastFailedOperation'));
    assert.equal((failed.at(-1)?.value as { status: string }).status, 'FINISHED_ERROR');
    assert.equal(existsSync(marker), false);

    // Issue 21 item 3: the health is published again once the operation finished, with it (no request needed).
    const t0 = Math.floor(Date.now() / 1000) - 60;
    const health = await waitFor(() => f.healths.find((h) => h.lastOperation?.correlationId === 'cid-bad'), 10_000, 'health with the last operation');
    assert.deepEqual([health.status, health.pid], ['up', daemon.child.pid]);
    const { at, ...op } = health.lastOperation!;
    assert.deepEqual(op, { correlationId: 'cid-bad', status: 'FINISHED_ERROR', module: 'install-hello:1.0.0', message: 'fail to download module' });
    assert.ok(at >= t0 && at <= t0 + 120, `at ${at}`);
    // A restarted daemon reports the same operation (stored with its time) in its first `up`.
    assert.equal(await daemon.kill('SIGTERM'), 0);
    const again = f.spawnDaemon();
    const after = await waitFor(() => f.healths.find((h) => h.status === 'up' && h.pid === again.child.pid), 15_000, 'the restarted daemon\'s health');
    assert.deepEqual(after.lastOperation, health.lastOperation);
  });

  it('10 connection cuts during a download still finish', async (t) => {
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    f.spawnDaemon();
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    const big = randomBytes(3_000_000);
    const value = installValue(srv, 'cid-cuts', { 'install.sh': 'exit 0\n', 'payload.bin': big });
    srv.misbehave({ cutAfter: { bytes: 200_000, times: 10 }, bytesPerSecond: 20_000_000 });
    await f.send('install', value);
    const end = await f.finished('cid-cuts', 60_000);
    assert.equal(end.status, 'FINISHED_SUCCESS');
    const ranged = srv.requests.filter((r) => r.path.endsWith('payload.bin') && r.status === 206);
    assert.ok(ranged.length >= 9, `resumed with Range ${ranged.length} times`);
  });

  it('SIGTERM mid-install stops promptly; after the restart the install is reported interrupted and not re-run', async (t) => {
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    const first = f.spawnDaemon();
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    const marker = join(createTempDir(t), 'marker');
    await f.send('install', installValue(srv, 'cid-term', { 'install.sh': `echo run >> ${marker}\nsleep 30\n` }));
    await waitFor(() => existsSync(marker), 15_000, 'script running');
    const t0 = Date.now();
    assert.equal(await first.kill('SIGTERM'), 0);
    assert.ok(Date.now() - t0 < 8_000, `stopped in ${Date.now() - t0} ms`);
    f.spawnDaemon();
    const end = await f.finished('cid-term');
    assert.equal(end.status, 'FINISHED_ERROR');
    assert.match(end.message ?? '', /interrupted by a restart/);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(marker, 'utf8'), 'run\n', 'the script ran once');
  });

  it('SIGKILL mid-download → restart → the download resumes from its offset and the operation finishes', async (t) => {
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    const first = f.spawnDaemon();
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    const size = 4_000_000;
    const value = installValue(srv, 'cid-kill', { 'payload.bin': randomBytes(size), 'install.sh': 'test -f payload.bin\n' });
    srv.misbehave({ bytesPerSecond: 2_000_000 });
    await f.send('install', value);
    await waitFor(() => srv.bytesSent > 1_500_000, 20_000, 'download under way');
    await first.kill('SIGKILL');
    const sentAtKill = srv.bytesSent;
    srv.misbehave({ bytesPerSecond: 20_000_000 });
    f.spawnDaemon();
    const end = await f.finished('cid-kill', 60_000);
    assert.equal(end.status, 'FINISHED_SUCCESS');
    const payloadRequests = srv.requests.filter((r) => r.path.endsWith('payload.bin'));
    const resume = payloadRequests.at(-1)!;
    assert.equal(resume.status, 206, 'the restarted daemon asked for a range');
    const offset = Number(/bytes=(\d+)-/.exec(resume.range ?? '')?.[1]);
    assert.ok(offset > 1_000_000, `resumed from ${offset}`);
    const twice = sentAtKill - offset; // sent before the kill but not on disk: fetched again
    assert.ok(twice >= 0 && twice < size * 0.1, `bytes fetched twice: ${twice}`);
    t.diagnostic(`killed at ${sentAtKill} bytes sent, resumed from ${offset}, fetched twice ${twice}`);
    const progress = f.lastOps('cid-kill').filter((v) => v.status === 'DOWNLOADING').map((v) => v.progress ?? 0);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), `DOWNLOADING progress never goes back: ${progress.join(',')}`);
    const statuses = distinctStatuses(f.lastOps('cid-kill'));
    assert.equal(statuses.at(-1), 'FINISHED_SUCCESS');
    assert.ok(!statuses.includes('FINISHED_ERROR'));
  });
  it('fuzzed requests (seeded mutants of install/download, of the envelope, non-JSON): every answerable one is answered, nothing crashes, the daemon still installs', async (t) => {
    const seed = fuzzSeed(1185265012); // a seed that found a bug once (LEDGE_FUZZ_SEED=random explores)
    t.diagnostic(`LEDGE_FUZZ_SEED=${seed} replays this run`);
    const rng = createRng(seed);
    const f = await fixture(t);
    const srv = await startArtifactServer(t);
    // No retries and a deep queue: mutants that stay valid run (and fail or pass) quickly, none is refused for space.
    const daemon = f.spawnDaemon({ LEDGE_SOFTWARE_UPDATE_DOWNLOAD_RETRY_COUNT: '0', LEDGE_SOFTWARE_UPDATE_QUEUE_SIZE: '1000' });
    await waitFor(() => f.events.find((e) => e.path === '/features/SoftwareUpdatable'), 15_000, 'feature registration');
    const valid = installValue(srv, 'fuzz', { 'install.sh': '#!/bin/sh\nexit 0\n' });
    const statuses = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      const op = rng() < 0.5 ? 'install' : 'download';
      const value = mutate(valid, rng);
      const r = await f.send(op, value).catch((err: unknown) => {
        throw new Error(`${String(err)}: ${op} (${JSON.stringify(value).length} bytes) ${JSON.stringify(value).slice(0, 600)}`);
      });
      const status = r.topic.slice(r.topic.lastIndexOf('/') + 1);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      assert.ok(['204', '400'].includes(status), `${op} ${JSON.stringify(value).slice(0, 300)} → ${status} ${JSON.stringify(r.env.value)}`);
      if (status === '400') assert.equal((r.env.value as { error: string }).error, 'messages:parameter.invalid');
    }
    const envelope = {
      topic: 'demo/device/things/live/messages/install',
      headers: { 'correlation-id': 'fuzz-env', 'response-required': true, 'content-type': 'application/json' },
      path: '/features/SoftwareUpdatable/inbox/messages/install',
      value: valid,
    };
    for (let i = 0; i < 80; i++) await f.bus.publish(`command///req/fuzz-env-${i}/install`, JSON.stringify(mutate(envelope, rng)), { qos: 1 });
    for (let i = 0; i < 40; i++) await f.bus.publish(`command///req/fuzz-raw-${i}/${rng() < 0.5 ? 'install' : 'download'}`, notJson(envelope, rng), { qos: 1 });
    t.diagnostic(`value mutants answered: ${JSON.stringify(Object.fromEntries(statuses))}`);

    // Still serving: a valid install, queued behind whatever the mutants left, finishes.
    const marker = join(createTempDir(t), 'marker');
    const ok = await f.send('install', installValue(srv, 'after-fuzz', { 'install.sh': SCRIPT(marker) }));
    assert.match(ok.topic, /\/204$/);
    const end = await f.finished('after-fuzz', 120_000);
    assert.equal(end.status, 'FINISHED_SUCCESS', JSON.stringify(end));
    assert.ok(existsSync(marker));
    assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
    const fatal = daemon.logs.filter((l) => typeof l['level'] === 'number' && (l['level'] as number) >= 60);
    assert.deepEqual(fatal, [], 'no fatal log line');
    assert.doesNotMatch(daemon.stderr.join(''), /Uncaught|TypeError|RangeError|FATAL/);
  });
});
