// BackupAndRestore on a fake agent with real files, a real local HTTP server for restore downloads and the
// memory upload provider: Kanto's backup → request → start flow, restore, and the hostile cases (zip slip,
// links, bombs, a stalling URL, a directory outside the mode) leaving the old content intact; a restore
// cut in the middle is rolled back at the next start.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import yazl from 'yazl';
import type { DittoCommand, DittoCommandHandler } from '@ledge/shared/data-access-mqtt';
import { createHttpDownloader } from '@ledge/file-upload/data-access-http-upload';
import { FeatureDefinitionLists } from '@ledge/shared/model-ditto';
import { createMemoryProvider } from '@ledge/file-upload/model-file-upload/testing';
import { isLedgeError } from '@ledge/shared/util';
import { captureLogger, createTempDir, waitFor } from '@ledge/shared/util/testing';
import { createAutoUploadable } from './auto-uploadable';
import { createBackupAndRestore, type BackupSettings } from './backup-restore';
import { unzipInto, zipDirectory } from './zip-archive';

function fakeAgent() {
  let handler: DittoCommandHandler | undefined;
  const modifies: { path: string; value: unknown }[] = [];
  const messages: { subject: string; value: { correlationId: string; options: Record<string, string> } }[] = [];
  return {
    modifies,
    messages,
    handle(_f: unknown, h: DittoCommandHandler) {
      handler = h;
      return () => (handler = undefined);
    },
    onThing(listener: (thingId: string, identity: { deviceId: string; tenantId: string }) => void) {
      listener('demo:gw', { deviceId: 'demo:gw', tenantId: 'demo' });
      return () => undefined;
    },
    async modify(path: string, value: unknown) {
      modifies.push({ path, value });
    },
    async message(_featureId: string, subject: string, value: unknown) {
      messages.push({ subject, value: value as { correlationId: string; options: Record<string, string> } });
    },
    send(operation: string, value: unknown) {
      return handler!({ operation, value, featureId: 'BackupAndRestore', thingId: 'demo:gw', correlationId: undefined, envelope: {} as DittoCommand['envelope'] });
    },
    ops(cid?: string) {
      return modifies
        .filter((m) => m.path === '/features/BackupAndRestore/properties/lastOperation')
        .map((m) => m.value as { correlationId: string; state: string; message: string })
        .filter((v) => cid === undefined || v.correlationId === cid);
    },
  };
}

/** Serves `files` by path; `/stall` sends part of a body and then nothing. */
async function fileServer(t: TestContext, files: Map<string, Buffer>): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100));
      return; // never ends
    }
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end('no such backup');
    res.writeHead(200, { 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function setup(t: TestContext, over: Partial<BackupSettings> = {}) {
  const root = createTempDir(t, 'ledge-fb-');
  const dir = join(root, 'data');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.conf'), 'alpha');
  writeFileSync(join(dir, 'sub', 'b.bin'), Buffer.from([0, 1, 2, 255]));
  const settings: BackupSettings = {
    featureId: 'BackupAndRestore', dir, mode: 'strict', storage: join(root, 'storage'), backupCmd: '', restoreCmd: '',
    commandTimeoutMs: 10_000, maxRestoreBytes: 1024 * 1024, maxRestoreEntries: 1000, downloadStallMs: 500, ...over,
  };
  const agent = fakeAgent();
  const memory = createMemoryProvider();
  const downloader = createHttpDownloader();
  const log = captureLogger('test', 'debug');
  const feature = createBackupAndRestore(settings, { agent, uploadable: () => uploadable, downloader, logger: log.logger });
  const uploadable = createAutoUploadable(
    {
      featureId: 'BackupAndRestore', definitions: FeatureDefinitionLists.backupAndRestore, type: 'backup', context: 'edge', files: join(settings.storage, 'backups', '*.zip'), mode: 'strict',
      singleUpload: false, checksum: false, delete: true, stateDir: join(settings.storage, 'uploads'), partSize: 1024, stopTimeoutMs: 100, periodMs: 36_000_000,
      active: false, activeFrom: undefined, activeTill: undefined, progressIntervalMs: 0,
    },
    { agent, providers: { generic: memory }, logger: log.logger, extension: feature.extension },
  );
  t.after(async () => {
    await feature.close();
    await uploadable.close();
    await downloader.close();
  });
  return { root, dir, settings, agent, memory, feature, uploadable, log };
}

const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out[r] = readFileSync(join(d, e.name)).toString('hex');
    }
  };
  walk(dir, '');
  return out;
};

async function zipOf(t: TestContext, files: Record<string, string | Buffer>): Promise<Buffer> {
  const d = createTempDir(t, 'ledge-fb-src-');
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), body);
  }
  const out = join(createTempDir(t, 'ledge-fb-zip-'), 'x.zip');
  await zipDirectory(d, out);
  return readFile(out);
}

/** A zip built by yazl, with its file names patched afterwards (yazl refuses what an attacker would write). */
async function craftedZip(entries: { name: string; body: Buffer; mode?: number }[], patch?: [string, string]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.body, e.name, e.mode !== undefined ? { mode: e.mode } : {});
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  const buf = Buffer.concat(chunks);
  if (patch) {
    const [from, to] = patch.map((s) => Buffer.from(s));
    assert.equal(from!.length, to!.length);
    let i = buf.indexOf(from!);
    while (i >= 0) {
      to!.copy(buf, i);
      i = buf.indexOf(from!, i + 1);
    }
  }
  return buf;
}

describe('BackupAndRestore', () => {
  it('registers Kanto\'s definitions; backup zips the dir, reports BACKUP_STARTED → BACKUP_FINISHED and offers the archive; start uploads it and deletes it', async (t) => {
    const s = setup(t);
    await s.feature.start();
    await s.uploadable.start();
    const reg = s.agent.modifies.find((m) => m.path === '/features/BackupAndRestore')!.value as { definition: string[] };
    assert.deepEqual(reg.definition, ['com.bosch.iot.suite.manager.backup:BackupAndRestore:1.0.0', 'com.bosch.iot.suite.manager.upload:Uploadable:1.0.0']);
    assert.equal(await s.agent.send('backup', { correlationId: 'b1', options: {} }), undefined, '204');
    await waitFor(() => s.agent.messages.some((m) => m.subject === 'request'), 5000, 'the upload request');
    assert.deepEqual(s.agent.ops('b1').map((o) => o.state), ['BACKUP_STARTED', 'BACKUP_FINISHED']);
    const req = s.agent.messages.find((m) => m.subject === 'request')!.value;
    assert.equal(req.correlationId, 'b1#1');
    assert.match(req.options['file.path']!, /\/storage\/backups\/backup-\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.\d{3}\.zip$/);
    await s.agent.send('start', { correlationId: 'b1#1', options: { 'memory.key': 'k' } });
    await waitFor(() => s.memory.objects.has('k') && !existsSync(req.options['file.path']!), 5000, 'uploaded and deleted');
    const back = join(s.root, 'check');
    mkdirSync(back);
    const zip = join(s.root, 'got.zip');
    writeFileSync(zip, s.memory.objects.get('k')!);
    await unzipInto(zip, back, { maxBytes: 1e6, maxEntries: 100 });
    assert.deepEqual(tree(back), tree(s.dir), 'the archive holds the directory');
  });

  it('restore downloads the archive and replaces the directory (bytes equal); a 404 leaves it as it was', async (t) => {
    const s = setup(t);
    await s.feature.start();
    await s.uploadable.start();
    const url = await fileServer(t, new Map([['/b.zip', await zipOf(t, { 'new.txt': 'fresh', 'deep/x/y.txt': 'why' })]]));
    await s.agent.send('restore', { correlationId: 'r1', options: { 'https.url': `${url}/b.zip` } });
    await s.feature.idle();
    assert.deepEqual(s.agent.ops('r1').map((o) => o.state), ['RESTORE_STARTED', 'RESTORE_FINISHED']);
    assert.deepEqual(tree(s.dir), { 'deep/x/y.txt': Buffer.from('why').toString('hex'), 'new.txt': Buffer.from('fresh').toString('hex') });
    assert.deepEqual(readdirSync(join(s.dir, '..')).sort(), ['data', 'storage'], 'no staging or old copy left');
    const before = tree(s.dir);
    await s.agent.send('restore', { correlationId: 'r2', options: { 'https.url': `${url}/missing.zip` } });
    await s.feature.idle();
    const r2 = s.agent.ops('r2').at(-1)!;
    assert.equal(r2.state, 'RESTORE_FAILED');
    assert.match(r2.message, /HTTP 404/);
    assert.deepEqual(tree(s.dir), before);
  });

  it('refuses hostile archives and leaves the directory intact: zip slip, a symlink, a bomb over the limit, a stalling URL', async (t) => {
    const s = setup(t, { maxRestoreBytes: 50_000 });
    await s.feature.start();
    await s.uploadable.start();
    const before = tree(s.dir);
    const url = await fileServer(
      t,
      new Map([
        ['/slip.zip', await craftedZip([{ name: 'XX/evil.txt', body: Buffer.from('pwned') }], ['XX/evil', '../evil'])],
        ['/abs.zip', await craftedZip([{ name: 'Xetc/passwd', body: Buffer.from('root::0:0') }], ['Xetc/passwd', '/etc/passwd'])],
        ['/link.zip', await craftedZip([{ name: 'link', body: Buffer.from('/etc/shadow'), mode: 0o120777 }])],
        ['/bomb.zip', await craftedZip([{ name: 'zeros', body: Buffer.alloc(200_000) }])],
      ]),
    );
    const cases: [string, RegExp][] = [
      ['/slip.zip', /invalid relative path|outside/],
      ['/abs.zip', /absolute path|outside/],
      ['/link.zip', /not a regular file or directory/],
      ['/bomb.zip', /more than 50000 bytes/],
      ['/stall', /failed: .*(timeout|Timeout)/],
    ];
    for (const [path, re] of cases) {
      const cid = `h${path}`;
      await s.agent.send('restore', { correlationId: cid, options: { 'https.url': `${url}${path}` } });
      await s.feature.idle();
      const op = s.agent.ops(cid).at(-1)!;
      assert.equal(op.state, 'RESTORE_FAILED', path);
      assert.match(op.message, re, path);
      assert.deepEqual(tree(s.dir), before, `${path}: the directory is untouched`);
      assert.ok(!existsSync(join(s.root, 'evil.txt')) && !existsSync(join(s.dir, '..', '..', 'evil.txt')), 'nothing written outside');
    }
    assert.deepEqual(readdirSync(join(s.dir, '..')).sort(), ['data', 'storage']);
  });

  it('one operation at a time (409), bad requests 400, backup.dir confined by mode and by its real path', async (t) => {
    const s = setup(t, { mode: 'scoped', downloadStallMs: 2000 });
    await s.feature.start();
    await s.uploadable.start();
    const url = await fileServer(t, new Map());
    const status = async (op: string, value: unknown) => {
      try {
        const r = await s.agent.send(op, value);
        return r === undefined ? 204 : r.status;
      } catch (err) {
        assert.ok(isLedgeError(err), String(err));
        return err.kind === 'InvalidArgument' ? 400 : err.kind === 'FailedPrecondition' ? 409 : 500;
      }
    };
    mkdirSync(join(s.dir, 'sub', 'deeper'));
    const outside = join(s.root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(s.dir, 'escape'));
    assert.equal(await status('restore', { options: {} }), 400, 'no URL');
    assert.equal(await status('restore', { options: { 'https.url': 'ftp://x/y.zip' } }), 400);
    assert.equal(await status('backup', { options: { 'backup.dir': outside } }), 400, 'outside dir');
    assert.equal(await status('backup', { options: { 'backup.dir': join(s.dir, 'escape') } }), 400, 'a symlink out');
    assert.equal(await status('backup', { options: { 'backup.dir': join(s.dir, 'sub', '..', '..') } }), 400, '..');
    assert.equal(await status('backup', { options: { 'backup.dir': join(s.dir, 'nope') } }), 400, 'missing');
    assert.equal(await status('restore', { correlationId: 'slow', options: { 'https.url': `${url}/stall` } }), 204);
    assert.equal(await status('backup', { options: { 'backup.dir': join(s.dir, 'sub') } }), 409, 'while a restore runs');
    await s.feature.idle();
    assert.equal(await status('backup', { correlationId: 'ok', options: { 'backup.dir': join(s.dir, 'sub') } }), 204, 'scoped: below dir');
    await s.feature.idle();
    assert.equal(s.agent.ops('ok').at(-1)!.state, 'BACKUP_FINISHED');
  });

  it('backupCmd fills an empty temporary directory that is zipped instead of dir; restoreCmd runs in the unpacked archive', async (t) => {
    const root = createTempDir(t, 'ledge-fb-cmd-');
    const backupSh = join(root, 'backup.sh');
    writeFileSync(backupSh, 'echo dumped > dump.sql\n');
    const restoreSh = join(root, 'restore.sh');
    writeFileSync(restoreSh, `cat dump.sql > ${join(root, 'restored.txt')}\n`);
    chmodSync(backupSh, 0o755);
    const s = setup(t, { backupCmd: backupSh, restoreCmd: restoreSh });
    await s.feature.start();
    await s.uploadable.start();
    await s.agent.send('backup', { correlationId: 'c1' });
    await waitFor(() => s.agent.messages.some((m) => m.subject === 'request'), 5000, 'the upload request');
    const archive = s.agent.messages[0]!.value.options['file.path']!;
    const url = await fileServer(t, new Map([['/dump.zip', await readFile(archive)]]));
    // The backup ends after its upload request (BACKUP_FINISHED): a restore sent before that is refused as busy.
    await s.feature.idle();
    await s.agent.send('restore', { correlationId: 'c2', options: { 'https.url': `${url}/dump.zip` } });
    await s.feature.idle();
    assert.equal(s.agent.ops('c2').at(-1)!.state, 'RESTORE_FINISHED', JSON.stringify(s.agent.ops('c2')));
    assert.equal(readFileSync(join(root, 'restored.txt'), 'utf8'), 'dumped\n');
    writeFileSync(backupSh, 'echo broken >&2; exit 3\n');
    await s.agent.send('backup', { correlationId: 'c3' });
    await s.feature.idle();
    const failed = s.agent.ops('c3').at(-1)!;
    assert.equal(failed.state, 'BACKUP_FAILED');
    assert.match(failed.message, /backupCmd failed: .*exit code 3: broken/);
  });

  it('a restore cut between moving the old directory out and the new one in is rolled back at the next start', async (t) => {
    const s = setup(t);
    const parent = join(s.dir, '..');
    const staging = join(parent, '.data.ledge-restore');
    const old = join(parent, '.data.ledge-old');
    const before = tree(s.dir);
    // The state a power cut leaves after `rename(dir, old)`: the journal says swap, staging is still there.
    mkdirSync(staging);
    writeFileSync(join(staging, 'half.txt'), 'new');
    mkdirSync(s.settings.storage, { recursive: true });
    const { renameSync } = await import('node:fs');
    renameSync(s.dir, old);
    writeFileSync(join(s.settings.storage, 'restore.json'), JSON.stringify({ phase: 'swap', correlationId: 'cut', startMs: Date.now(), target: s.dir, staging, old }));
    await s.feature.start();
    await s.uploadable.start();
    assert.deepEqual(tree(s.dir), before, 'the old content is back');
    assert.ok(!existsSync(staging) && !existsSync(old) && !existsSync(join(s.settings.storage, 'restore.json')));
    const reg = s.agent.modifies.find((m) => m.path === '/features/BackupAndRestore')!.value as { properties: { lastOperation: { correlationId: string; state: string } } };
    assert.deepEqual([reg.properties.lastOperation.correlationId, reg.properties.lastOperation.state], ['cut', 'RESTORE_FAILED']);
  });
});
