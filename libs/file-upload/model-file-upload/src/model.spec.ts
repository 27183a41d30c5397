import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLedgeError } from '@ledge/shared/util';
import { checkConfined, globToRegExp, selectionFor, splitGlob } from './glob';
import { infoOf, parseActivate, parseCancel, parseStart, parseTrigger, requestOptions } from './operations';
import { buildFeature, lastUpload, percent } from './state';
import { parseDuration, parseTime } from './time';
import { createMemoryProvider, providerContract } from './testing';
import { backupDirFor, backupFileName, lastOperation, parseBackup, parseRestore } from './backup';

const code = (c: string) => (e: unknown) => isLedgeError(e) && e.code === c;

describe('glob', () => {
  const cases: [string, string, boolean][] = [
    ['/var/tmp/file-upload/*.*', '/var/tmp/file-upload/a.log', true],
    ['/var/tmp/file-upload/*.*', '/var/tmp/file-upload/noext', false],
    ['/var/tmp/file-upload/*.*', '/var/tmp/file-upload/sub/a.log', false],
    ['/data/**/*.log', '/data/a/b/c.log', true],
    ['/data/**/*.log', '/data/c.log', true],
    ['/data/**', '/data/x/y', true],
    ['/d/file?.txt', '/d/file1.txt', true],
    ['/d/file?.txt', '/d/file10.txt', false],
    ['/d/[ab].txt', '/d/b.txt', true],
    ['/d/[!ab].txt', '/d/b.txt', false],
    ['/d/a+b(1).txt', '/d/a+b(1).txt', true],
  ];
  for (const [g, p, want] of cases) it(`${g} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(globToRegExp(g).test(p), want));

  it('splits the walk base from the pattern', () => {
    assert.deepEqual(splitGlob('/var/tmp/file-upload/*.*'), { base: '/var/tmp/file-upload', rest: '*.*', maxDepth: 1 });
    assert.deepEqual(splitGlob('/data/**/*.log'), { base: '/data', rest: '**/*.log', maxDepth: Infinity });
    assert.equal(splitGlob('/a/b.txt').base, '/a');
  });

  it('applies mode to upload.files: strict, scoped, lax', () => {
    const conf = '/up/*.log';
    assert.deepEqual(selectionFor('strict', conf, undefined), { select: conf, confine: [conf] });
    assert.deepEqual(selectionFor('strict', conf, conf), { select: conf, confine: [conf] });
    assert.throws(() => selectionFor('strict', conf, '/up/a.log'), code('LEDGE_FU_PATH_REFUSED'));
    assert.deepEqual(selectionFor('scoped', conf, '/up/a.log'), { select: '/up/a.log', confine: [conf] });
    assert.deepEqual(selectionFor('lax', conf, '/etc/*.conf'), { select: '/etc/*.conf', confine: ['/etc/*.conf'] });
    assert.throws(() => selectionFor('lax', conf, '/up/../etc/passwd'), code('LEDGE_FU_PATH_REFUSED'));
    assert.throws(() => selectionFor('scoped', conf, 'relative/*.log'), code('LEDGE_FU_PATH_REFUSED'));
  });

  it('confines real paths', () => {
    checkConfined('/up/a.log', ['/up/*.log']);
    assert.throws(() => checkConfined('/etc/passwd', ['/up/*.log']), code('LEDGE_FU_PATH_REFUSED'));
    assert.throws(() => checkConfined('/up/../etc/x.log', ['/up/**']), code('LEDGE_FU_PATH_REFUSED'));
  });
});

describe('operations', () => {
  it('parses trigger with and without a value', () => {
    assert.deepEqual(parseTrigger(undefined), { correlationId: undefined, options: {} });
    assert.deepEqual(parseTrigger({ correlationId: 'c', options: { force: 'true', n: 1 } }), { correlationId: 'c', options: { force: 'true', n: '1' } });
  });
  const bad: [string, () => unknown][] = [
    ['trigger array', () => parseTrigger([])],
    ['trigger options not object', () => parseTrigger({ options: 'x' })],
    ['trigger option object', () => parseTrigger({ options: { a: {} } })],
    ['trigger cid number', () => parseTrigger({ correlationId: 5 })],
    ['start no value', () => parseStart(undefined)],
    ['start no cid', () => parseStart({ options: {} })],
    ['start string', () => parseStart('x')],
    ['cancel no cid', () => parseCancel({})],
    ['activate bad time', () => parseActivate({ from: 'yesterday' })],
    ['activate to before from', () => parseActivate({ from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' })],
  ];
  for (const [name, fn] of bad) it(`refuses ${name} with LEDGE_FU_PARAMETER_INVALID`, () => assert.throws(fn, code('LEDGE_FU_PARAMETER_INVALID')));

  it('parses start, cancel, activate (RFC 3339 and epoch seconds/ms)', () => {
    assert.deepEqual(parseStart({ correlationId: 'x#1', options: { 'https.url': 'http://h/' } }), { correlationId: 'x#1', options: { 'https.url': 'http://h/' } });
    assert.deepEqual(parseCancel({ correlationId: 'x#1', statusCode: 499, message: 'm' }), { correlationId: 'x#1', statusCode: '499', message: 'm' });
    const ms = Date.parse('2024-01-01T00:00:00Z');
    assert.deepEqual(parseActivate({ from: '2024-01-01T00:00:00Z', to: ms / 1000 + 60 }), { from: ms, to: ms + 60_000 });
    assert.deepEqual(parseActivate({ from: ms }), { from: ms, to: undefined });
    assert.deepEqual(parseActivate({}), { from: undefined, to: undefined });
  });

  it('builds request options: file.path, providers, options.* stripped', () => {
    assert.deepEqual(requestOptions('/up/a.log', { 'options.https.url': 'u', force: 'true', 'upload.files': 'g' }, 'aws, azure, generic'), {
      'file.path': '/up/a.log',
      'storage.providers': 'aws, azure, generic',
      'https.url': 'u',
    });
    assert.deepEqual(infoOf({ 'info.a': '1', b: '2' }), { a: '1' });
  });
});

describe('time and state', () => {
  it('parses durations and times', () => {
    assert.equal(parseDuration('10h'), 36_000_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10'), undefined);
    assert.equal(parseDuration('0s'), undefined);
    assert.equal(parseTime('2024-01-01T00:00:00+01:00'), Date.parse('2023-12-31T23:00:00Z'));
    assert.equal(parseTime('2024-01-01'), undefined);
    assert.equal(parseTime(8.64e15), 8.64e15);
    assert.equal(parseTime(8.64e15 + 1), undefined, 'beyond what a Date holds');
    assert.equal(parseTime(1e308), undefined);
  });
  it('builds the feature and lastUpload', () => {
    const f = buildFeature({ type: 'file', context: 'edge', autoUpload: { active: false, startTime: null, endTime: null } });
    assert.deepEqual(f.definition, ['com.bosch.iot.suite.manager.upload:AutoUploadable:1.0.0', 'com.bosch.iot.suite.manager.upload:Uploadable:1.0.0']);
    assert.deepEqual(f.properties['info'], { supportedProviders: 'aws,azure,generic' });
    const l = lastUpload({ correlationId: 'c', state: 'UPLOADING', startMs: 0, progress: 37.9 });
    assert.deepEqual(l, { correlationId: 'c', state: 'UPLOADING', startTime: '1970-01-01T00:00:00Z', endTime: null, statusCode: '', message: '', progress: 37, info: {} });
    assert.equal(percent(0, 0), 100);
    assert.equal(percent(50, 200), 25);
  });
});

providerContract('memory', async () => {
  const p = createMemoryProvider();
  return { provider: p, options: (key) => ({ 'memory.key': key }), read: async (key) => p.objects.get(key), required: ['memory.key'] };
});

describe('file-backup model', () => {
  it('backupDirFor: strict only dir, scoped dir and below, lax any absolute; never relative, .. or /', () => {
    assert.equal(backupDirFor('strict', '/data', undefined), '/data');
    assert.equal(backupDirFor('strict', '/data', '/data/'), '/data');
    assert.throws(() => backupDirFor('strict', '/data', '/data/sub'), /mode strict/);
    assert.equal(backupDirFor('scoped', '/data', '/data/sub'), '/data/sub');
    assert.throws(() => backupDirFor('scoped', '/data', '/database'), /mode scoped/);
    assert.equal(backupDirFor('lax', '', '/etc/app'), '/etc/app');
    for (const bad of ['rel/dir', '/data/../etc', '/']) assert.throws(() => backupDirFor('lax', '/data', bad), /refused/, bad);
    assert.throws(() => backupDirFor('strict', '', undefined), /no 'backup.dir' given and no 'dir' configured/);
  });
  it('parses backup and restore; restore needs an http(s) URL', () => {
    assert.deepEqual(parseBackup({ correlationId: 'x', options: { 'backup.dir': '/d', n: 1 } }), { correlationId: 'x', options: { 'backup.dir': '/d', n: '1' } });
    assert.deepEqual(parseBackup(undefined), { correlationId: undefined, options: {} });
    assert.throws(() => parseBackup([]), /must be a JSON object/);
    assert.throws(() => parseRestore({ options: {} }), /Download URL not specified/);
    assert.throws(() => parseRestore({ options: { 'https.url': 'file:///etc/passwd' } }), /http/);
    assert.equal(parseRestore({ options: { 'https.url': 'https://h/b.zip' } }).options['https.url'], 'https://h/b.zip');
  });
  it('names archives as Kanto does', () => {
    const t = Date.parse('2026-12-07T08:30:01.234Z');
    assert.equal(backupFileName(t), 'backup-2026-12-07-08.30.01.234.zip');
    assert.equal(backupFileName(t, 2), 'backup-2026-12-07-08.30.01.234_02.zip');
    assert.deepEqual(lastOperation({ correlationId: 'c', state: 'RESTORE_FINISHED', startMs: t, endMs: t }), {
      correlationId: 'c', state: 'RESTORE_FINISHED', startTime: '2026-12-07T08:30:01Z', endTime: '2026-12-07T08:30:01Z', statusCode: '', message: '', progress: 100,
    });
  });
});
