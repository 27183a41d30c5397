// Which directory the CNI plugins are taken from (issue 6: Debian puts them in /usr/lib/cni,
// meta-virtualization's cni recipe in /usr/libexec/cni, the upstream tarball in /opt/cni/bin).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CNI_BIN_DIRS, CNI_PLUGINS, defaultNetworkOptions, findCniBinDir } from './network';

/** A scratch root with one folder per entry of `layout`, holding the named plugins (executable unless listed in `notExecutable`). */
function fixture(t: TestContext, layout: Record<string, readonly string[]>, notExecutable: readonly string[] = []): (dir: string) => string {
  const root = mkdtempSync(join(tmpdir(), 'ledge-cni-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [dir, plugins] of Object.entries(layout)) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const p of plugins) {
      const file = join(root, dir, p);
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, notExecutable.includes(`${dir}/${p}`) ? 0o644 : 0o755);
    }
  }
  return (dir) => join(root, dir);
}

test('the default search order is Debian, then Yocto (meta-virtualization), then the upstream tarball', () => {
  assert.deepEqual(CNI_BIN_DIRS, ['/usr/lib/cni', '/usr/libexec/cni', '/opt/cni/bin']);
  assert.equal(defaultNetworkOptions.cniBinDir, '', 'no fixed directory: searched');
  assert.equal(defaultNetworkOptions.cniBinDirs, CNI_BIN_DIRS);
  assert.deepEqual(CNI_PLUGINS, ['loopback', 'bridge', 'host-local', 'portmap']);
});

test('findCniBinDir takes the first directory that holds every plugin', (t) => {
  const at = fixture(t, { 'usr/lib/cni': [], 'usr/libexec/cni': CNI_PLUGINS, 'opt/cni/bin': CNI_PLUGINS });
  const dirs = ['usr/lib/cni', 'usr/libexec/cni', 'opt/cni/bin'].map(at);
  assert.equal(findCniBinDir(dirs), at('usr/libexec/cni'), 'Yocto layout: /usr/lib/cni empty');
  assert.equal(findCniBinDir([at('opt/cni/bin'), at('usr/libexec/cni')]), at('opt/cni/bin'), 'order decides between two complete ones');
});

test('findCniBinDir skips a directory that lacks a plugin, holds it non-executable, or as a folder', (t) => {
  const partial = CNI_PLUGINS.filter((p) => p !== 'portmap');
  const at = fixture(t, { partial, noexec: CNI_PLUGINS, folder: partial, 'folder/portmap': [], full: CNI_PLUGINS }, ['noexec/bridge']);
  assert.equal(findCniBinDir(['partial', 'noexec', 'folder', 'full'].map(at)), at('full'));
  assert.equal(findCniBinDir(['partial', 'noexec', 'folder'].map(at)), undefined);
  assert.equal(findCniBinDir([at('partial')], ['loopback', 'bridge']), at('partial'), 'only the plugins asked for');
});

test('findCniBinDir: nothing found when no directory exists', (t) => {
  const at = fixture(t, {});
  assert.equal(findCniBinDir([at('usr/lib/cni'), at('usr/libexec/cni')]), undefined);
  assert.equal(findCniBinDir([]), undefined);
});
