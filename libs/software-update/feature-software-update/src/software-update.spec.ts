// Config of the app entry, the install command rule and FILE artifact confinement (table-driven).
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, isLedgeError, prepareConfig } from '@ledge/shared/util';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { resolveFileArtifact, type FileMode } from './file-artifact';
import { installCommand } from './install-script';
import { softwareUpdateEntry } from './software-update';

describe('softwareUpdateEntry config', () => {
  it('Kanto defaults, dev defaults put state under the dev dir', () => {
    const c = prepareConfig(softwareUpdateEntry, { env: {}, configDir: '/nonexistent' }).config;
    assert.equal(c.featureId, 'SoftwareUpdatable');
    assert.equal(c.moduleType, 'software');
    assert.equal(c.queueSize, 10);
    assert.equal(c.storageLocation, '/var/lib/ledge/software-update');
    const dev = prepareConfig(softwareUpdateEntry, { env: {}, configDir: '/nonexistent', devDir: '/tmp/dev' }).config;
    assert.equal(dev.storageLocation, '/tmp/dev/software-update');
  });
  const bad: [string, Record<string, string>, RegExp][] = [
    ['duration', { LEDGE_SOFTWARE_UPDATE_DOWNLOAD_RETRY_INTERVAL: '5 seconds' }, /downloadRetryInterval/],
    ['artifact type', { LEDGE_SOFTWARE_UPDATE_ARTIFACT_TYPE: 'tarball' }, /artifactType/],
    ['queue size', { LEDGE_SOFTWARE_UPDATE_QUEUE_SIZE: '0' }, /queueSize/],
    ['feature ID with a slash', { LEDGE_SOFTWARE_UPDATE_FEATURE_ID: 'a/b' }, /featureId/],
    ['mode', { LEDGE_SOFTWARE_UPDATE_MODE: 'loose' }, /mode/],
  ];
  for (const [name, env, re] of bad) {
    it(`refuses a bad ${name} (exit code 2)`, () => {
      assert.throws(() => prepareConfig(softwareUpdateEntry, { env, configDir: '/nonexistent' }), (e) => e instanceof ConfigError && re.test(e.message));
    });
  }
  it('an unreadable serverCert is a config error naming the key', () => {
    const c = prepareConfig(softwareUpdateEntry, { env: { LEDGE_SOFTWARE_UPDATE_SERVER_CERT: '/nonexistent/ca.pem' }, configDir: '/nonexistent' }).config;
    assert.throws(() => softwareUpdateEntry.create(c, { logger: captureLogger().logger }), (e) => e instanceof ConfigError && /serverCert/.test(e.message));
  });
});

describe('installCommand', () => {
  const cases: [string[], string[]][] = [
    [[], ['/bin/sh', 'install.sh']],
    [['setup.sh', '--quiet'], ['/bin/sh', 'setup.sh', '--quiet']],
    [['/usr/bin/python3', 'install.py'], ['/usr/bin/python3', 'install.py']],
  ];
  for (const [configured, want] of cases) it(`${JSON.stringify(configured)} → ${want.join(' ')}`, () => assert.deepEqual(installCommand(configured), want));
});

describe('resolveFileArtifact', () => {
  it('confines FILE links per mode', async (t) => {
    const root = createTempDir(t);
    const allowed = join(root, 'allowed');
    const outside = join(root, 'outside');
    mkdirSync(allowed);
    mkdirSync(outside);
    writeFileSync(join(allowed, 'a.sh'), 'x');
    writeFileSync(join(outside, 'b.sh'), 'x');
    symlinkSync(join(outside, 'b.sh'), join(allowed, 'link.sh'));
    const cases: [string, string[], FileMode, boolean][] = [
      [join(allowed, 'a.sh'), [allowed], 'strict', true],
      [`file://${join(allowed, 'a.sh')}`, [allowed], 'strict', true],
      [join(outside, 'b.sh'), [allowed], 'strict', false],
      [join(allowed, '..', 'outside', 'b.sh'), [allowed], 'strict', false],
      [join(allowed, 'link.sh'), [allowed], 'strict', false],
      [join(allowed, 'link.sh'), [allowed], 'scoped', true],
      [join(allowed, '..', 'outside', 'b.sh'), [allowed], 'scoped', false],
      [join(outside, 'b.sh'), [], 'lax', true],
      [join(allowed, 'a.sh'), [], 'strict', false],
      ['relative/a.sh', [allowed], 'lax', false],
    ];
    for (const [url, dirs, mode, ok] of cases) {
      const r = await resolveFileArtifact(url, dirs, mode).then(
        () => true,
        (e: unknown) => (isLedgeError(e) && e.code === 'LEDGE_SU_FILE_REFUSED' ? false : Promise.reject(e)),
      );
      assert.equal(r, ok, `${mode} ${url}`);
    }
  });
});
