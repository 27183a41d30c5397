// The update engine with a recording status sink, a real artifact server on loopback and real scripts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createDownloader } from '@ledge/software-update/data-access-download';
import { startArtifactServer, type ArtifactServer } from '@ledge/software-update/data-access-download/testing';
import { distinctStatuses, type Dependency, type OperationStatusValue, type UpdateAction } from '@ledge/software-update/model-software-update';
import { captureLogger, createTempDir, waitFor } from '@ledge/shared/util/testing';
import { createUpdateEngine, type StatusSink, type UpdateEngineOptions } from './engine';
import { SoftwareUpdateErrorCodes } from './errors';
import { createOperationStore } from './operation-store';

type Event = { kind: 'last' | 'failed'; value: OperationStatusValue } | { kind: 'deps'; value: Record<string, Dependency> };

async function setup(t: TestContext, o: Partial<UpdateEngineOptions> = {}, storage?: string) {
  const dir = storage ?? createTempDir(t);
  const events: Event[] = [];
  const sink: StatusSink = {
    ready: async () => undefined,
    lastOperation: async (value) => void events.push({ kind: 'last', value }),
    lastFailedOperation: async (value) => void events.push({ kind: 'failed', value }),
    installedDependencies: async (value) => void events.push({ kind: 'deps', value }),
  };
  const downloader = createDownloader({ retries: 2, retryInitialMs: 10, retryMaxMs: 20, stallTimeoutMs: 1000, minFreeSpace: 0 });
  const store = createOperationStore(dir);
  const engine = createUpdateEngine({
    store,
    downloader,
    sink,
    logger: captureLogger('test', 'debug').logger,
    artifactType: 'plain',
    install: [],
    installTimeoutMs: 10_000,
    installKillGraceMs: 200,
    queueSize: 10,
    installDirs: [],
    mode: 'strict',
    progressIntervalMs: 0,
    ...o,
  });
  t.after(async () => {
    await engine.close();
    await downloader.close();
  });
  const statuses = () => events.filter((e) => e.kind === 'last').map((e) => e.value as OperationStatusValue);
  return { dir, events, engine, store, statuses };
}

function action(srv: ArtifactServer, files: Record<string, string | Buffer>, over: { sha256?: string; metaData?: Record<string, string>; cid?: string } = {}): UpdateAction {
  return {
    correlationId: over.cid ?? 'cid-1',
    metadata: {},
    softwareModules: [
      {
        softwareModule: { name: 'hello', version: '1.0.0' },
        metaData: over.metaData ?? {},
        artifacts: Object.entries(files).map(([name, body]) => {
          const a = srv.add(`/${over.cid ?? 'cid-1'}/${name}`, Buffer.from(body));
          return { filename: name, size: a.size, download: { HTTP: { url: a.url } }, checksums: { SHA256: over.sha256 ?? a.sha256 } };
        }),
      },
    ],
  };
}

const SCRIPT = `#!/bin/sh
printf 'progress=50\\nmessage=half way\\n' > status
sleep 0.5
mkdir -p installed-deps
printf 'group=g\\nname=hello\\nversion=1.0.0\\ntype=app\\n' > installed-deps/hello.prs
echo ran >> "$MARKER"
printf 'progress=100\\nmessage=done\\n' > status
`;

describe('update engine', () => {
  it('install: the full status sequence, script progress republished, installedDependencies, working dir cleaned', async (t) => {
    const srv = await startArtifactServer(t);
    const marker = join(createTempDir(t), 'marker');
    process.env['MARKER'] = marker;
    const { engine, statuses, events, dir } = await setup(t);
    await engine.start();
    await engine.submit('install', action(srv, { 'install.sh': SCRIPT }));
    await engine.idle();
    const s = statuses();
    assert.deepEqual(distinctStatuses(s), ['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'INSTALLED', 'FINISHED_SUCCESS']);
    assert.deepEqual(s[0], { correlationId: 'cid-1', status: 'STARTED', softwareModule: { name: 'hello', version: '1.0.0' } });
    assert.ok(s.some((v) => v.status === 'INSTALLING' && v.progress === 50 && v.message === 'half way'), 'status file progress republished');
    assert.deepEqual(s.at(-1), { correlationId: 'cid-1', status: 'FINISHED_SUCCESS', softwareModule: { name: 'hello', version: '1.0.0' }, progress: 100, message: 'done' });
    const deps = events.find((e) => e.kind === 'deps');
    assert.deepEqual(deps?.value, { '0': { group: 'g', name: 'hello', version: '1.0.0', type: 'app' } });
    assert.ok(existsSync(marker));
    assert.deepEqual(readdirSync(join(dir, 'download')), [], 'operation and working directory removed');
    assert.deepEqual(engine.last.lastOperation?.status, 'FINISHED_SUCCESS');
  });

  it('checksum mismatch → FINISHED_ERROR "fail to download module", script never run', async (t) => {
    const srv = await startArtifactServer(t);
    const marker = join(createTempDir(t), 'marker');
    process.env['MARKER'] = marker;
    const { engine, statuses, events } = await setup(t);
    await engine.start();
    await engine.submit('install', action(srv, { 'install.sh': SCRIPT }, { sha256: '0'.repeat(64) }));
    await engine.idle();
    assert.deepEqual(distinctStatuses(statuses()), ['STARTED', 'DOWNLOADING', 'FINISHED_ERROR']);
    const last = statuses().at(-1)!;
    assert.equal(last.message, 'fail to download module');
    assert.equal(last.statusCode, 'LEDGE_SU_CHECKSUM_MISMATCH');
    assert.equal(existsSync(marker), false, 'install script not run');
    const failedAt = events.findIndex((e) => e.kind === 'failed');
    assert.ok(failedAt >= 0 && events[failedAt + 1]?.kind === 'last', 'lastFailedOperation sent before lastOperation');
  });

  it('lastFinished: the finished operation and when, kept across a restart, not replaced by a running one (issue 21: health)', async (t) => {
    const srv = await startArtifactServer(t);
    let clock = 1_796_000_050_000;
    const now = () => clock;
    const first = await setup(t, { now });
    await first.engine.start();
    assert.equal(first.engine.lastFinished, undefined);
    await first.engine.submit('install', action(srv, { 'install.sh': 'exit 0\n' }));
    await first.engine.idle();
    const done = { operation: first.statuses().at(-1)!, at: 1_796_000_050 };
    assert.equal(done.operation.status, 'FINISHED_SUCCESS');
    assert.deepEqual(first.engine.lastFinished, done);
    await first.engine.close();

    clock += 60_000;
    const second = await setup(t, { now }, first.dir);
    await second.engine.start();
    assert.deepEqual(second.engine.lastFinished, done, 'read back from the store');
    await second.engine.submit('install', action(srv, { 'install.sh': 'sleep 0.3\nexit 2\n' }, { cid: 'cid-2' }));
    await waitFor(() => second.statuses().find((v) => v.status === 'INSTALLING'), 5_000, 'cid-2 installing');
    assert.deepEqual(second.engine.lastFinished, done, 'still the finished one while cid-2 runs');
    await second.engine.idle();
    assert.deepEqual(second.engine.lastFinished, { operation: second.statuses().at(-1)!, at: 1_796_000_110 });
    assert.equal(second.engine.lastFinished?.operation.status, 'FINISHED_ERROR');
  });

  it('archive (tar.gz) is extracted and its install.sh run', async (t) => {
    const srv = await startArtifactServer(t);
    const tmp = createTempDir(t);
    mkdirSync(join(tmp, 'src'));
    writeFileSync(join(tmp, 'src', 'install.sh'), 'test -f payload.txt && echo ok > "$MARKER"\n');
    writeFileSync(join(tmp, 'src', 'payload.txt'), 'p');
    execFileSync('tar', ['czf', join(tmp, 'a.tgz'), '-C', join(tmp, 'src'), '.']);
    process.env['MARKER'] = join(tmp, 'marker');
    const { engine, statuses } = await setup(t, { artifactType: 'archive' });
    await engine.start();
    const { readFileSync } = await import('node:fs');
    await engine.submit('install', action(srv, { 'module.tar.gz': readFileSync(join(tmp, 'a.tgz')) }));
    await engine.idle();
    assert.equal(statuses().at(-1)!.status, 'FINISHED_SUCCESS');
    assert.ok(existsSync(join(tmp, 'marker')));
  });

  const failures: [string, Record<string, string>, Partial<UpdateEngineOptions>, Record<string, string>, { message: string; statusCode?: string }][] = [
    ['non-zero exit sets statusCode', { 'install.sh': 'exit 3\n' }, {}, {}, { message: 'fail to execute install script', statusCode: '3' }],
    ['the script\'s own message on failure', { 'install.sh': "printf 'message=disk is read-only\\n' > status; exit 4\n" }, {}, {}, { message: 'disk is read-only', statusCode: '4' }],
    ['no install.sh', { 'other.bin': 'x' }, {}, {}, { message: 'fail to execute install script' }],
    ['not an archive', { 'install.sh': 'exit 0\n' }, { artifactType: 'archive' }, {}, { message: 'fail to extract module archive', statusCode: 'LEDGE_SU_ARCHIVE_INVALID' }],
    ['archive with two artifacts', { 'a.tgz': 'x', 'b.tgz': 'y' }, {}, { 'artifact-type': 'archive' }, { message: 'archive modules cannot have multiple artifacts' }],
    ['hung script killed at the timeout', { 'install.sh': 'sleep 30\n' }, { installTimeoutMs: 300 }, {}, { message: 'fail to execute install script' }],
  ];
  for (const [name, files, o, metaData, want] of failures) {
    it(`fails: ${name}`, async (t) => {
      const srv = await startArtifactServer(t);
      const { engine, statuses } = await setup(t, o);
      await engine.start();
      const started = Date.now();
      await engine.submit('install', action(srv, files, { metaData }));
      await engine.idle();
      assert.ok(Date.now() - started < 8_000);
      const last = statuses().at(-1)!;
      assert.equal(last.status, 'FINISHED_ERROR');
      assert.equal(last.message, want.message);
      if (want.statusCode) assert.equal(last.statusCode, want.statusCode);
    });
  }

  it('download: STARTED → DOWNLOADING → DOWNLOADED → FINISHED_SUCCESS, module kept under modules/', async (t) => {
    const srv = await startArtifactServer(t);
    const { engine, statuses, dir } = await setup(t);
    await engine.start();
    await engine.submit('download', action(srv, { 'pkg.bin': 'payload' }));
    await engine.idle();
    assert.deepEqual(distinctStatuses(statuses()), ['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'FINISHED_SUCCESS']);
    assert.ok(existsSync(join(dir, 'modules', 'hello-1.0.0', 'pkg.bin')));
  });

  it('FILE artifacts: taken from installDirs (checksum verified), refused outside', async (t) => {
    const allowed = createTempDir(t);
    const outside = createTempDir(t);
    const script = 'echo from-file > "$MARKER"\n';
    writeFileSync(join(allowed, 'install.sh'), script);
    writeFileSync(join(outside, 'install.sh'), script);
    const marker = join(createTempDir(t), 'marker');
    process.env['MARKER'] = marker;
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(script).digest('hex');
    const fileAction = (path: string, cid: string): UpdateAction => ({
      correlationId: cid,
      metadata: {},
      softwareModules: [{ softwareModule: { name: 'f', version: '1' }, metaData: {}, artifacts: [{ filename: 'install.sh', download: { FILE: { url: path } }, checksums: { SHA256: sha } }] }],
    });
    const { engine, statuses } = await setup(t, { installDirs: [allowed] });
    await engine.start();
    await engine.submit('install', fileAction(join(allowed, 'install.sh'), 'in'));
    await engine.submit('install', fileAction(join(outside, 'install.sh'), 'out'));
    await engine.idle();
    const end = (cid: string) => statuses().filter((s) => s.correlationId === cid).at(-1)!;
    assert.equal(end('in').status, 'FINISHED_SUCCESS');
    assert.equal(end('out').status, 'FINISHED_ERROR');
    assert.equal(end('out').statusCode, SoftwareUpdateErrorCodes.FILE_REFUSED);
  });

  // §5.4, Kanto feature_install.go: a plain module's install.sh from a FILE link runs in its original folder
  // (it finds the files beside it; status and installed-deps are read there), unless copy-artifacts names it.
  const localScript: [string, Record<string, string>, 'original' | 'work'][] = [
    ['runs in its original folder', {}, 'original'],
    ['runs in its original folder when copy-artifacts names only other files', { 'copy-artifacts': 'payload.bin,other.bin' }, 'original'],
    ['is copied and run in the work directory with copy-artifacts "*"', { 'copy-artifacts': '*' }, 'work'],
    ['is copied and run in the work directory when copy-artifacts names it (":" separated)', { 'copy-artifacts': 'other.bin:install.sh' }, 'work'],
  ];
  for (const [name, metaData, where] of localScript) {
    it(`a FILE install.sh ${name}`, async (t) => {
      const { realpathSync, readFileSync } = await import('node:fs');
      const { createHash } = await import('node:crypto');
      const folder = realpathSync(createTempDir(t));
      const script = `pwd > "$MARKER"
test -f beside.txt && printf 'progress=40\\nmessage=found beside.txt\\n' > status
mkdir -p installed-deps
printf 'group=g\\nname=local\\nversion=1\\n' > installed-deps/local.prs
`;
      writeFileSync(join(folder, 'install.sh'), script);
      writeFileSync(join(folder, 'beside.txt'), 'payload next to the script');
      const marker = join(createTempDir(t), 'marker');
      process.env['MARKER'] = marker;
      const { engine, statuses, events, dir } = await setup(t, { installDirs: [folder] });
      await engine.start();
      await engine.submit('install', {
        correlationId: 'local',
        metadata: {},
        softwareModules: [{ softwareModule: { name: 'l', version: '1' }, metaData, artifacts: [{ filename: 'install.sh', download: { FILE: { url: join(folder, 'install.sh') } }, checksums: { SHA256: createHash('sha256').update(script).digest('hex') } }] }],
      });
      await engine.idle();
      const s = statuses();
      assert.equal(s.at(-1)!.status, 'FINISHED_SUCCESS');
      const ranIn = readFileSync(marker, 'utf8').trim();
      const deps = events.find((e) => e.kind === 'deps')?.value;
      assert.deepEqual(deps, { '0': { group: 'g', name: 'local', version: '1' } }, 'installed-deps taken from where the script ran');
      assert.equal(existsSync(join(dir, 'installed-deps', 'local.prs')), true);
      if (where === 'original') {
        assert.equal(ranIn, folder);
        assert.ok(s.some((v) => v.status === 'INSTALLING' && v.progress === 40 && v.message === 'found beside.txt'), 'the status file in the original folder is watched');
        assert.equal(s.at(-1)!.message, 'found beside.txt');
        assert.equal(existsSync(join(folder, 'installed-deps', 'local.prs')), false, 'moved out of the original folder');
      } else {
        assert.ok(ranIn.startsWith(realpathSync(join(dir, 'download'))), `ran in the work directory, not ${ranIn}`);
        assert.ok(!s.some((v) => v.message === 'found beside.txt'), 'the copy does not see the files beside the original');
      }
      assert.equal(readFileSync(join(folder, 'install.sh'), 'utf8'), script, 'the original script is left as it was');
    });
  }

  it('a bounded queue: beyond queueSize waiting operations are refused; operations run in order', async (t) => {
    const srv = await startArtifactServer(t);
    const { engine, statuses } = await setup(t, { queueSize: 2 });
    await engine.start();
    const slow = action(srv, { 'install.sh': 'sleep 0.3\n' }, { cid: 'a' });
    await engine.submit('install', slow);
    await waitFor(() => engine.waiting === 0, 5000, 'first operation running');
    await engine.submit('install', action(srv, { 'install.sh': 'exit 0\n' }, { cid: 'b' }));
    await engine.submit('install', action(srv, { 'install.sh': 'exit 0\n' }, { cid: 'c' }));
    await assert.rejects(engine.submit('install', action(srv, { 'install.sh': 'exit 0\n' }, { cid: 'd' })), (e: { code?: string }) => e.code === SoftwareUpdateErrorCodes.QUEUE_FULL);
    await engine.idle();
    const finished = statuses().filter((s) => s.status === 'FINISHED_SUCCESS').map((s) => s.correlationId);
    assert.deepEqual(finished, ['a', 'b', 'c']);
  });

  it('restart at DOWNLOADED with a damaged artifact (power cut before writeback): verified, fetched again, installed', async (t) => {
    const srv = await startArtifactServer(t);
    const storage = createTempDir(t);
    const first = await setup(t, {}, storage);
    await first.engine.start();
    const op = await first.store.add('install', action(srv, { 'install.sh': 'exit 0\n' }));
    mkdirSync(join(first.store.moduleDir(op, 0), 'artifacts'), { recursive: true });
    writeFileSync(join(first.store.moduleDir(op, 0), 'artifacts', 'install.sh'), '\0\0\0\0\0\0\0');
    await first.store.setStage(op, 0, 'DOWNLOADED', { name: 'hello', version: '1.0.0' });
    const before = srv.requests.length;
    const second = await setup(t, {}, storage);
    await second.engine.start();
    await second.engine.idle();
    assert.equal(srv.requests.length, before + 1, 'downloaded again');
    assert.deepEqual(distinctStatuses(second.statuses()), ['DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'INSTALLED', 'FINISHED_SUCCESS']);
  });

  it('restart: an install interrupted mid-script is reported FINISHED_ERROR and never re-run', async (t) => {
    const srv = await startArtifactServer(t);
    const storage = createTempDir(t);
    const marker = join(createTempDir(t), 'marker');
    const first = await setup(t, {}, storage);
    await first.engine.start();
    const op = await first.store.add('install', action(srv, { 'install.sh': `echo ran > ${marker}\n` }));
    await first.store.setStage(op, 0, 'INSTALLING', { name: 'hello', version: '1.0.0' });
    const second = await setup(t, {}, storage);
    await second.engine.start();
    await second.engine.idle();
    const last = second.statuses().at(-1)!;
    assert.equal(last.status, 'FINISHED_ERROR');
    assert.match(last.message ?? '', /interrupted by a restart/);
    assert.equal(existsSync(marker), false);
    assert.deepEqual(readdirSync(join(storage, 'download')), []);
  });
});
