import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildInstalledDependencies,
  buildOperationStatus,
  distinctStatuses,
  isFailedStatus,
  parseDuration,
  durationProblem,
  parsePrs,
  parseScriptStatus,
  parseStage,
  parseUpdateAction,
  resumeActionOf,
  selectChecksum,
  selectLink,
  artifactTypeOf,
  stageText,
} from './index';

const SHA256 = 'a'.repeat(64);
const artifact = (over: Record<string, unknown> = {}) => ({
  filename: 'install.sh',
  size: 10,
  download: { HTTPS: { url: 'https://example.com/a.sh' } },
  checksums: { SHA256 },
  ...over,
});
const action = (modOver: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => ({
  correlationId: 'c1',
  softwareModules: [{ softwareModule: { name: 'm', version: '1' }, artifacts: [artifact()], ...modOver }],
  ...over,
});

describe('parseUpdateAction', () => {
  it('parses the §5.2 example and keeps metaData', () => {
    const r = parseUpdateAction({
      correlationId: 'x',
      weight: 0,
      forced: false,
      metadata: {},
      softwareModules: [
        {
          softwareModule: { name: 'install-hello', version: '1.0.0' },
          metaData: { 'artifact-type': 'plain' },
          artifacts: [{ filename: 'install.sh', size: 544, download: { HTTPS: { url: 'https://h/install_hello.sh', md5url: 'https://h/md5' } }, checksums: { SHA256: 'D'.repeat(64), SHA1: 'b'.repeat(40), MD5: 'c'.repeat(32) } }],
        },
      ],
    });
    assert.ok(r.ok);
    assert.equal(r.action.correlationId, 'x');
    const m = r.action.softwareModules[0]!;
    assert.equal(artifactTypeOf(m, 'archive'), 'plain');
    assert.equal(m.artifacts[0]!.checksums.SHA256, 'd'.repeat(64), 'hex lower-cased');
    assert.equal(selectLink(m.artifacts[0]!)?.protocol, 'HTTPS');
  });

  it('accepts correlationID (Go decodes keys case-insensitively)', () => {
    const r = parseUpdateAction(action({}, { correlationId: undefined, correlationID: 'upper' }));
    assert.ok(r.ok);
    assert.equal(r.action.correlationId, 'upper');
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'x', /JSON object/],
    ['null', null, /JSON object/],
    ['empty object (Kanto: empty install params → error)', {}, /softwareModules must be a non-empty array/],
    ['empty modules', { softwareModules: [] }, /non-empty array/],
    ['correlationId not a string', action({}, { correlationId: 5 }), /correlationId must be a string/],
    ['module without name', action({ softwareModule: { version: '1' } }), /name must be a non-empty string/],
    ['no artifacts', action({ artifacts: [] }), /artifacts must be a non-empty array/],
    ['path traversal in filename', action({ artifacts: [artifact({ filename: '../../etc/passwd' })] }), /plain file name/],
    ['slash in filename', action({ artifacts: [artifact({ filename: 'a/b' })] }), /plain file name/],
    ['dot-dot filename', action({ artifacts: [artifact({ filename: '..' })] }), /plain file name/],
    ['negative size', action({ artifacts: [artifact({ size: -1 })] }), /size must be a non-negative integer/],
    ['unknown protocol', action({ artifacts: [artifact({ download: { GOPHER: { url: 'x' } } })] }), /not a known protocol/],
    ['only FTP', action({ artifacts: [artifact({ download: { FTP: { url: 'ftp://h/x' } } })] }), /no HTTP, HTTPS or FILE link/],
    ['bad URL', action({ artifacts: [artifact({ download: { HTTP: { url: 'not a url' } } })] }), /not a valid URL/],
    ['javascript URL', action({ artifacts: [artifact({ download: { HTTPS: { url: 'javascript:alert(1)' } } })] }), /must be http: or https:/],
    ['no checksums', action({ artifacts: [artifact({ checksums: {} })] }), /needs SHA256, SHA1 or MD5/],
    ['short sha256', action({ artifacts: [artifact({ checksums: { SHA256: 'abc' } })] }), /64 hex digits/],
    ['bad artifact-type', action({ metaData: { 'artifact-type': 'tarball' } }), /archive or plain/],
    ['duplicate names', action({ artifacts: [artifact(), artifact()] }), /duplicate file names/],
    ['encrypted', action({ metaData: { 'AES256.key': 'k' } }), /not supported/],
  ];
  for (const [name, value, re] of bad) {
    it(`refuses: ${name}`, () => {
      const r = parseUpdateAction(value);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems.join('; '), re);
    });
  }
});

describe('selectChecksum', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{ SHA256: 'a', SHA1: 'b', MD5: 'c' }, 'sha256'],
    [{ SHA1: 'b', MD5: 'c' }, 'sha1'],
    [{ MD5: 'c' }, 'md5'],
    [{}, undefined],
  ];
  for (const [sums, want] of cases) it(`${JSON.stringify(sums)} → ${want}`, () => assert.equal(selectChecksum(sums)?.algorithm, want));
});

describe('status values', () => {
  it('omits empty fields and clamps progress', () => {
    assert.deepEqual(buildOperationStatus({ correlationId: 'c', status: 'DOWNLOADING', softwareModule: { name: 'n', version: 'v' }, progress: 142.4, message: '', statusCode: undefined }), {
      correlationId: 'c',
      status: 'DOWNLOADING',
      softwareModule: { name: 'n', version: 'v' },
      progress: 100,
    });
  });
  const failed: [string, boolean][] = [['FINISHED_ERROR', true], ['FINISHED_REJECTED', true], ['CANCEL_REJECTED', true], ['FINISHED_SUCCESS', false], ['INSTALLING', false]];
  for (const [s, want] of failed) it(`isFailedStatus(${s}) = ${want}`, () => assert.equal(isFailedStatus(s as never), want));
  it('distinctStatuses collapses progress repeats', () => {
    assert.deepEqual(distinctStatuses([{ status: 'A' }, { status: 'B' }, { status: 'B' }, { status: 'C' }]), ['A', 'B', 'C']);
  });
});

describe('.prs and status files', () => {
  const prs: [string, string, unknown][] = [
    ['full', 'group=g\nname=n\nversion=1\ntype=t\n', { group: 'g', name: 'n', version: '1', type: 't' }],
    ['CRLF and comments', '# c\r\ngroup=g\r\nname=n\r\nversion=1\r\n', { group: 'g', name: 'n', version: '1' }],
    ['value with =', 'group=g\nname=a=b\nversion=1', { group: 'g', name: 'a=b', version: '1' }],
  ];
  for (const [name, text, want] of prs)
    it(`parsePrs ${name}`, () => {
      const r = parsePrs(text);
      assert.ok(r.ok);
      assert.deepEqual(r.dependency, want);
    });
  it('parsePrs requires group, name, version', () => {
    const r = parsePrs('name=n\n');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.problem, 'missing group, version');
  });
  it('installedDependencies keyed "0", "1" in order', () => {
    assert.deepEqual(Object.keys(buildInstalledDependencies([{ group: 'b', name: 'x', version: '1' }, { group: 'a', name: 'y', version: '1' }])), ['0', '1']);
    assert.equal(buildInstalledDependencies([{ group: 'b', name: 'x', version: '1' }, { group: 'a', name: 'y', version: '1' }])['0']!.group, 'a');
  });
  const status: [string, unknown][] = [
    ['progress=50\nmessage=half way\n', { progress: 50, message: 'half way' }],
    ['progress=250\nstatusCode=3\n', { progress: 100, statusCode: '3' }],
    ['progress=abc\n', {}],
    ['', {}],
  ];
  for (const [text, want] of status) it(`parseScriptStatus ${JSON.stringify(text)}`, () => assert.deepEqual(parseScriptStatus(text), want));
});

describe('durations and stages', () => {
  const d: [string, number | undefined][] = [['5s', 5000], ['1m30s', 90_000], ['500ms', 500], ['2h', 7_200_000], ['3', 3000], ['', undefined], ['5 seconds', undefined], ['-1s', undefined]];
  for (const [t, want] of d) it(`parseDuration(${JSON.stringify(t)}) = ${want}`, () => assert.equal(parseDuration(t), want));
  it('config durations longer than a timer can wait are refused (a 720h installTimeout would kill every script at once)', () => {
    assert.equal(durationProblem('596h'), undefined);
    assert.match(durationProblem('720h')!, /at most 596h/);
    assert.match(durationProblem('x')!, /must be a duration/);
  });
  const s: [string, string][] = [['STARTED', 'download'], ['DOWNLOADING', 'download'], ['DOWNLOADED', 'install'], ['INSTALLING', 'interrupted-install'], ['m:1.0', 'skip'], ['', 'download']];
  for (const [t, want] of s) it(`stage ${JSON.stringify(t)} → ${want}`, () => assert.equal(resumeActionOf(parseStage(t)), want));
  it('a finished stage is stored as name:version', () => assert.equal(stageText('FINISHED', { name: 'm', version: '1' }), 'm:1'));
});
