// yocto/meta-ledge checked statically for what BitBake's parser and fetcher would reject (issue 6):
// BitBake cannot be installed on this machine. The layer is copied to a scratch folder and filled by
// yocto/sync.mjs from dist/apps, exactly as `npm run yocto:sync` does, then every recipe is read with
// testing/bitbake-lite.ts and its sources, units and configs are checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discoverApps, readVersion, type AppPackage } from './lib/apps.mjs';
import { localBusAccounts, secretsScript, unitGroup } from './lib/secrets.mjs';
import { evaluate, parse, words, type Vars } from './testing/bitbake-lite';
import { skipUnlessTools } from '@ledge/shared/util/testing';
import { systemdVerifyUnavailable, verifyUnits } from './testing/systemd-verify';

const root = join(import.meta.dirname, '..');
const noVerify = systemdVerifyUnavailable();
const skipVerify = skipUnlessTools(noVerify ?? '', noVerify !== undefined);
const source = join(root, 'yocto', 'meta-ledge');
const distDir = process.env['LEDGE_DIST_DIR'] ?? join(root, 'dist', 'apps');
/** md5 of poky's meta/files/common-licenses/EPL-2.0 (yocto/meta-ledge/README.md "License checksum"). */
const EPL_MD5 = '2dd765ca47a05140be15ebafddbeadfe';
/** Classes a recipe may inherit from oe-core (scarthgap) besides the layer's own. */
const OE_CLASSES = new Set(['allarch', 'systemd', 'useradd', 'packagegroup', 'update-rc.d', 'features_check']);

function files(dir: string, ext: string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && ext.some((e) => d.name.endsWith(e)))
    .map((d) => join(d.parentPath, d.name));
}

function layerConf(layer: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const s of parse(join(layer, 'conf', 'layer.conf'))) if (s.kind === 'assign') vars.set(s.name!, (vars.has(s.name!) && s.op === '+=' ? `${vars.get(s.name!)} ` : '') + s.value!);
  return vars;
}

describe('Yocto layer yocto/meta-ledge', () => {
  let layer = '';
  let apps: AppPackage[] = [];
  const recipes = new Map<string, { file: string; vars: Vars; inherited: string[] }>();

  before(() => {
    apps = discoverApps({ root, distDir });
    layer = mkdtempSync(join(tmpdir(), 'meta-ledge-'));
    cpSync(source, layer, { recursive: true });
    rmSync(join(layer, 'recipes-ledge', 'ledge', 'files'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [join(root, 'yocto', 'sync.mjs'), '--layer', layer, '--dist', distDir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `yocto/sync.mjs failed:\n${r.stderr}`);
    for (const file of files(layer, ['.bb'])) {
      const { vars, inherited } = evaluate(file, layer);
      recipes.set(vars.get('PN')!, { file, vars, inherited });
    }
  });
  after(() => rmSync(layer, { recursive: true, force: true }));

  it('layer.conf declares the collection, scarthgap and its layer dependencies', () => {
    const v = layerConf(layer);
    assert.match(v.get('BBFILE_COLLECTIONS') ?? '', /\bmeta-ledge\b/);
    assert.equal(v.get('BBFILE_PATTERN_meta-ledge'), '^${LAYERDIR}/');
    assert.match(v.get('BBFILE_PRIORITY_meta-ledge') ?? '', /^\d+$/);
    assert.match(v.get('LAYERVERSION_meta-ledge') ?? '', /^\d+$/);
    assert.equal(v.get('LAYERSERIES_COMPAT_meta-ledge'), 'scarthgap');
    assert.deepEqual((v.get('LAYERDEPENDS_meta-ledge') ?? '').split(/\s+/).sort(), ['core', 'openembedded-layer'], 'virtualization-layer only through BBFILES_DYNAMIC');
    assert.match(v.get('BBFILES') ?? '', /\$\{LAYERDIR\}\/recipes-\*\/\*\/\*\.bb/);
    assert.match(v.get('BBPATH') ?? '', /\$\{LAYERDIR\}/);
    for (const entry of (v.get('BBFILES_DYNAMIC') ?? '').split(/\s+/).filter(Boolean)) assert.match(entry, /^virtualization-layer:\$\{LAYERDIR\}\/dynamic-layers\/virtualization-layer\//);
  });

  it('every .bb, .bbappend, .bbclass and .conf parses', () => {
    const all = files(layer, ['.bb', '.bbappend', '.bbclass', '.conf', '.inc']);
    assert.ok(all.length >= 5);
    for (const f of all) assert.doesNotThrow(() => parse(f), f);
  });

  it('one recipe per app, all in packagegroup-ledge; the version is package.json\'s', () => {
    for (const a of apps) assert.ok(recipes.has(a.pkg), `missing recipe ${a.pkg}.bb for app ${a.app} (yocto/meta-ledge/README.md "Adding an app")`);
    const group = recipes.get('packagegroup-ledge');
    assert.ok(group, 'packagegroup-ledge.bb');
    assert.ok(group.inherited.includes('packagegroup'));
    // With every layer present (meta-virtualization too), dynamic-layers/ appends container management.
    const appended = files(layer, ['.bbappend'])
      .filter((f) => f.endsWith('/packagegroup-ledge.bbappend'))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^RDEPENDS:\$\{PN\} \+= "([^"]*)"/gm)].flatMap((m) => m[1]!.split(/\s+/).filter(Boolean)));
    assert.deepEqual([...words(group.vars, 'RDEPENDS:packagegroup-ledge'), ...appended].sort(), apps.map((a) => a.pkg).sort());
    for (const a of apps) assert.equal(recipes.get(a.pkg)!.vars.get('PV') && recipes.get(a.pkg)!.vars.get('LEDGE_VERSION'), readVersion(root), `${a.pkg} PV`);
  });

  it('recipes: license checksum, allarch + systemd, no AUTOREV, pinned remote sources, known classes', () => {
    for (const [pn, r] of recipes) {
      const text = readFileSync(r.file, 'utf8');
      assert.doesNotMatch(text, /AUTOREV/, pn);
      assert.equal(r.vars.get('LICENSE'), 'EPL-2.0', pn);
      assert.equal(r.vars.get('LIC_FILES_CHKSUM'), `file://\${COMMON_LICENSE_DIR}/EPL-2.0;md5=${EPL_MD5}`, pn);
      for (const c of r.inherited) assert.ok(OE_CLASSES.has(c) || existsSync(join(layer, 'classes', `${c}.bbclass`)), `${pn}: unknown class ${c}`);
      const uris = words(r.vars, 'SRC_URI');
      if (uris.some((u) => u.startsWith('git://'))) assert.match(r.vars.get('SRCREV') ?? '', /^[0-9a-f]{40}$/, `${pn}: SRCREV`);
      if (uris.some((u) => /^https?:\/\//.test(u))) assert.match(r.vars.get('SRC_URI[sha256sum]') ?? '', /^[0-9a-f]{64}$/, `${pn}: sha256sum`);
      if (pn === 'packagegroup-ledge') continue;
      assert.ok(r.inherited.includes('allarch') && r.inherited.includes('systemd'), `${pn}: inherit allarch systemd`);
      assert.equal(r.vars.get('S'), '${WORKDIR}', `${pn}: S = "\${WORKDIR}" (scarthgap)`);
      assert.ok(words(r.vars, `RDEPENDS:${pn}`).includes('nodejs'), `${pn}: RDEPENDS nodejs`);
      assert.ok(words(r.vars, `FILES:${pn}`).length > 0, `${pn}: FILES`);
    }
  });

  it('every file:// source exists where FILESPATH finds it, and every unit in SYSTEMD_SERVICE is installed from one', () => {
    for (const a of apps) {
      const r = recipes.get(a.pkg)!;
      const dir = join(r.file, '..');
      const pn = a.pkg;
      // FILESEXTRAPATHS (a recipe in dynamic-layers/ takes its files from the main layer) comes first.
      const extra = (r.vars.get('FILESEXTRAPATHS:prepend') ?? r.vars.get('FILESEXTRAPATHS') ?? '')
        .replaceAll('${THISDIR}', dir)
        .split(':')
        .filter((d) => d !== '');
      const searched = [...extra, join(dir, pn), join(dir, 'files')];
      for (const uri of words(r.vars, 'SRC_URI').filter((u) => u.startsWith('file://'))) {
        const rel = uri.slice('file://'.length).split(';')[0]!;
        assert.ok(searched.some((d) => existsSync(join(d, rel))), `${pn}: ${uri} not in ${searched.join(' or ')}`);
      }
      assert.deepEqual(words(r.vars, `SYSTEMD_SERVICE:${pn}`), [a.unitName], `${pn}: SYSTEMD_SERVICE`);
      assert.equal(r.vars.get('LEDGE_UNIT') && words(r.vars, 'LEDGE_UNIT')[0], a.unitName);
      assert.ok(words(r.vars, 'SRC_URI').includes(`file://${a.app}/${a.app}.service`), `${pn}: the unit source in SRC_URI`);
      const enable = r.vars.get(`SYSTEMD_AUTO_ENABLE:${pn}`);
      assert.equal(enable, a.enable ? 'enable' : 'disable', `${pn}: SYSTEMD_AUTO_ENABLE`);
      const conffiles = words(r.vars, `CONFFILES:${pn}`);
      if (a.app === 'ledge') assert.deepEqual(conffiles, []);
      else {
        assert.deepEqual(conffiles, [`\${sysconfdir}/ledge/${a.app}.json`], `${pn}: CONFFILES`);
        assert.ok(words(r.vars, 'SRC_URI').includes(`file://${a.app}/${a.app}.json`), `${pn}: the config in SRC_URI`);
      }
    }
    assert.deepEqual(words(recipes.get('ledge-common')!.vars, 'USERADD_PACKAGES'), ['ledge-common'], 'the ledge user comes with ledge-common');
  });

  it('ledge-common makes the local broker accounts on the target at boot (ledge-secrets.service), the configs are root:<unit group> 0640', () => {
    const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
    const script = join(layer, 'recipes-ledge', 'ledge', 'files', 'ledge', 'ledge-secrets');
    assert.equal(readFileSync(script, 'utf8'), secretsScript(accounts), 'yocto:sync writes the same accounts as the Debian postinst');
    assert.equal(spawnSync('sh', ['-n', script]).status, 0, 'ledge-secrets: sh syntax');
    const common = recipes.get('ledge-common')!;
    const uris = words(common.vars, 'SRC_URI');
    assert.ok(uris.includes('file://ledge/ledge-secrets') && uris.includes('file://ledge-secrets.service'), 'ledge-common: SRC_URI');
    assert.ok(existsSync(join(common.file, '..', 'ledge-common', 'ledge-secrets.service')), 'ledge-secrets.service beside the recipe');
    const text = readFileSync(common.file, 'utf8');
    // Always on, whatever SYSTEMD_AUTO_ENABLE says for ledge.service: a vendor .wants symlink.
    assert.match(text, /ln -sf \.\.\/ledge-secrets\.service \$\{D\}\$\{systemd_system_unitdir\}\/multi-user\.target\.wants\/ledge-secrets\.service/);
    for (const f of ['${libexecdir}/ledge', '${systemd_system_unitdir}/ledge-secrets.service', '${systemd_system_unitdir}/multi-user.target.wants/ledge-secrets.service']) {
      assert.ok(words(common.vars, 'FILES:ledge-common').includes(f), `FILES:ledge-common has ${f}`);
    }
    const unit = readFileSync(join(common.file, '..', 'ledge-common', 'ledge-secrets.service'), 'utf8');
    const before = (/^Before=(.*)$/m.exec(unit)?.[1] ?? '').split(/\s+/);
    for (const a of apps.filter((x) => x.unitName)) assert.ok(before.includes(a.unitName), `ledge-secrets.service runs before ${a.unitName}`);
    for (const a of apps.filter((x) => x.hasConfig)) {
      assert.equal(recipes.get(a.pkg)!.vars.get('LEDGE_CONFIG_GROUP'), unitGroup(readFileSync(a.unitSource, 'utf8')), `${a.pkg}: LEDGE_CONFIG_GROUP is the unit's group`);
    }
  });

  it("ledge-app's pkg_postinst makes the config root:<group> 0640 with the image's group ID", { skip: process.getuid?.() !== 0 && 'needs root (chgrp)' }, () => {
    const bbclass = readFileSync(join(layer, 'classes', 'ledge-app.bbclass'), 'utf8');
    const body = /^pkg_postinst:\$\{PN\}\(\) \{\n([\s\S]*?)\n\}$/m.exec(bbclass)?.[1];
    assert.ok(body, 'pkg_postinst:${PN} in ledge-app.bbclass');
    const target = mkdtempSync(join(tmpdir(), 'ledge-yocto-rootfs-'));
    try {
      mkdirSync(join(target, 'etc', 'ledge'), { recursive: true });
      writeFileSync(join(target, 'etc', 'group'), 'root:x:0:\nledge:x:975:\n');
      writeFileSync(join(target, 'etc', 'ledge', 'broker.json'), '{}\n', { mode: 0o644 });
      // As BitBake expands it for ledge-broker at rootfs time ($D is the image's root).
      const script = body.replaceAll('${LEDGE_CONFIG_GROUP}', 'ledge').replaceAll('${sysconfdir}', '/etc').replaceAll('${LEDGE_APP}', 'broker');
      const r = spawnSync('sh', ['-ec', script], { env: { ...process.env, D: target }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const st = statSync(join(target, 'etc', 'ledge', 'broker.json'));
      assert.equal(`${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid}`, '640 0:975');
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });

  it('systemd-analyze verify accepts ledge-secrets.service', { skip: skipVerify }, () => {
    const r = verifyUnits([join(recipes.get('ledge-common')!.file, '..', 'ledge-common', 'ledge-secrets.service')], ['/usr/libexec/ledge/ledge-secrets']);
    assert.equal(r.output, '', r.output);
    assert.equal(r.code, 0);
  });

  it('the synced bundles pass node --check and the configs are JSON', () => {
    for (const a of apps) {
      const dir = join(layer, 'recipes-ledge', 'ledge', 'files', a.app);
      const r = spawnSync(process.execPath, ['--check', join(dir, 'main.js')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${a.app}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), { type: 'commonjs' });
      if (a.hasConfig) assert.equal(typeof JSON.parse(readFileSync(join(dir, `${a.app}.json`), 'utf8')), 'object');
    }
  });

  it('systemd-analyze verify accepts the synced units', { skip: skipVerify }, () => {
    const synced = apps.filter((a) => a.unitName);
    const r = verifyUnits(
      synced.map((a) => join(layer, 'recipes-ledge', 'ledge', 'files', a.app, `${a.app}.service`)),
      synced.map((a) => `/usr/bin/${a.bin}`),
      synced.map((a) => a.unitName),
    );
    assert.equal(r.output, '', r.output);
    assert.equal(r.code, 0);
  });
});
