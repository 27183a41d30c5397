// The Debian packages (issue 6): built from dist/apps by packaging/build-deb.mjs, checked with dpkg-deb
// and lintian, and installed, removed and purged with dpkg in a throwaway root (dpkg --root with
// --force-script-chrootless: the maintainer scripts act on that root through DPKG_ROOT and never on this
// machine). Needs Debian's dpkg-dev, lintian and systemd (systemd-sysusers, systemd-analyze).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discoverApps, NODE_MIN, readVersion, type AppPackage } from './lib/apps.mjs';
import { BROKER_PASSWD, localBusAccounts, SECRETS_DIR, unitGroup } from './lib/secrets.mjs';
import { assertSecrets, ids, modeOwner } from './testing/secrets-check';
import { skipUnlessTools } from '@ledge/shared/util/testing';
import { systemdVerifyUnavailable, verifyUnits } from './testing/systemd-verify';

const root = join(import.meta.dirname, '..');
const distDir = process.env['LEDGE_DIST_DIR'] ?? join(root, 'dist', 'apps');
const version = `${readVersion(root)}-1`;

function sh(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !opts.allowFail) assert.fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
/** The tools of `tools` that are not installed (a missing one fails CI=true through skipUnlessTools). */
const missingOf = (...tools: string[]) => tools.filter((t) => !have(t));

/** Builds any bundle that is missing (the main test command builds them all before the tests). */
function ensureBundles(): void {
  if (process.env['LEDGE_DIST_DIR']) return;
  for (const app of readdirSync(join(root, 'apps'))) {
    if (existsSync(join(root, 'apps', app, 'packaging')) && !existsSync(join(distDir, app, 'main.js'))) {
      sh(process.execPath, [join(root, 'tools', 'build-app.mjs'), app]);
    }
  }
}

interface Deb {
  path: string;
  fields: Record<string, string>;
  /** path → tar listing line (mode owner size date time path) */
  files: Map<string, string>;
  control: (name: string) => string | undefined;
}

function readDeb(path: string): Deb {
  const info = sh('dpkg-deb', ['-f', path]).stdout;
  const fields: Record<string, string> = {};
  let last = '';
  for (const line of info.split('\n')) {
    const m = /^([A-Za-z-]+): ?(.*)$/.exec(line);
    if (m) fields[(last = m[1]!)] = m[2]!;
    else if (line.startsWith(' ') && last) fields[last] += `\n${line}`;
  }
  const files = new Map<string, string>();
  for (const line of sh('dpkg-deb', ['-c', path]).stdout.trim().split('\n')) {
    const p = line.slice(line.indexOf('./') + 1).replace(/ -> .*$/, '');
    files.set(p.replace(/\/$/, '') || '/', line);
  }
  const ctl = mkdtempSync(join(tmpdir(), 'ledge-ctl-'));
  sh('dpkg-deb', ['-e', path, ctl]);
  const control = (name: string) => (existsSync(join(ctl, name)) ? readFileSync(join(ctl, name), 'utf8') : undefined);
  return { path, fields, files, control };
}

const skip = skipUnlessTools('dpkg-deb and lintian (apt-get install -y dpkg-dev lintian)', missingOf('dpkg-deb', 'lintian').length > 0);
const noVerify = systemdVerifyUnavailable();
const skipVerify = skipUnlessTools(noVerify ?? '', noVerify !== undefined);

/**
 * A throwaway root whose dpkg database holds stand-ins for the packages Ledge depends on (nodejs,
 * systemd, containerd, …; no files), so that dpkg orders configuration by Depends as on a gateway:
 * ledge-common (the ledge user, the accounts) before every app. dpkg acts on it with --root and runs
 * the maintainer scripts chrootless (DPKG_ROOT).
 */
function scratchRoot(debs: Iterable<Deb>): { target: string; dpkg: (...args: string[]) => ReturnType<typeof sh> } {
  const target = mkdtempSync(join(tmpdir(), 'ledge-root-'));
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc']) mkdirSync(join(target, d), { recursive: true });
  const external = new Set<string>();
  for (const deb of debs) {
    for (const rel of (deb.fields['Depends'] ?? '').split(',')) {
      const name = /^\s*([a-z0-9][a-z0-9+.-]*)/.exec(rel)?.[1];
      if (name && !name.startsWith('ledge')) external.add(name);
    }
  }
  const stub = (name: string) => `Package: ${name}\nStatus: install ok installed\nPriority: optional\nMaintainer: stand-in <stand-in@ledge.invalid>\nArchitecture: all\nVersion: 9999\nDescription: stand-in for the test\n`;
  writeFileSync(join(target, 'var/lib/dpkg/status'), [...external].sort().map(stub).join('\n'));
  return { target, dpkg: (...args: string[]) => sh('dpkg', [`--root=${target}`, '--force-script-chrootless', '--log=/dev/null', ...args]) };
}

describe('Debian packages (packaging/build-deb.mjs)', { skip }, () => {
  const out = mkdtempSync(join(tmpdir(), 'ledge-debs-'));
  let apps: AppPackage[] = [];
  const debs = new Map<string, Deb>();

  before(() => {
    ensureBundles();
    apps = discoverApps({ root, distDir });
    sh(process.execPath, [join(root, 'packaging', 'build-deb.mjs'), '--dist', distDir, '--out', out]);
    for (const f of readdirSync(out)) {
      const deb = readDeb(join(out, f));
      debs.set(deb.fields['Package']!, deb);
    }
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('builds ledge-common, one package per app and the ledge metapackage, all Architecture: all', () => {
    const want = ['ledge', ...apps.map((a) => a.pkg)].sort();
    assert.deepEqual([...debs.keys()].sort(), want);
    assert.ok(want.includes('ledge-common') && want.includes('ledge-broker'));
    for (const [name, deb] of debs) {
      assert.equal(deb.fields['Architecture'], 'all', name);
      assert.equal(deb.fields['Version'], version, name);
      assert.equal(deb.fields['Source'], 'ledge', name);
      assert.match(deb.fields['Maintainer'] ?? '', /^.+ <[^@\s]+@[^@\s]+>$/, name);
      assert.ok(deb.path.endsWith(`${name}_${version}_all.deb`), deb.path);
    }
  });

  it('depends on nodejs and the same version of ledge-common; the metapackage pulls every app', () => {
    for (const a of apps) {
      const dep = debs.get(a.pkg)!.fields['Depends'] ?? '';
      assert.ok(dep.includes(`nodejs (>= ${NODE_MIN})`), `${a.pkg}: ${dep}`);
      if (a.app !== 'ledge') assert.ok(dep.includes(`ledge-common (= ${version})`), `${a.pkg}: ${dep}`);
      for (const extra of a.depends) assert.ok(dep.includes(extra), `${a.pkg}: ${extra}`);
    }
    assert.match(debs.get('ledge-common')!.fields['Depends'] ?? '', /systemd \| systemd-standalone-sysusers/);
    const meta = debs.get('ledge')!.fields['Depends'] ?? '';
    for (const a of apps.filter((x) => x.inMeta)) assert.ok(meta.includes(`${a.pkg} (= ${version})`), meta);
  });

  it('lays files out per Debian policy, with conffiles, docs and md5sums', () => {
    for (const a of apps) {
      const deb = debs.get(a.pkg)!;
      const mode = (p: string) => deb.files.get(p)?.split(/\s+/)[0];
      assert.equal(mode(`/usr/lib/ledge/${a.app}/main.js`), '-rwxr-xr-x', `${a.pkg} bundle`);
      assert.equal(mode(`/usr/bin/${a.bin}`), '-rwxr-xr-x', `${a.pkg} wrapper`);
      assert.ok(deb.files.has(`/usr/share/man/man1/${a.bin}.1.gz`), `${a.pkg} man page`);
      for (const doc of ['copyright', 'changelog.Debian.gz']) assert.ok(deb.files.has(`/usr/share/doc/${a.pkg}/${doc}`), `${a.pkg} ${doc}`);
      for (const line of deb.files.values()) assert.match(line, /root\/root/, line);
      if (a.unitName) assert.equal(mode(`/usr/lib/systemd/system/${a.unitName}`), '-rw-r--r--', `${a.pkg} unit`);
      const conffiles = (deb.control('conffiles') ?? '').trim().split('\n').filter(Boolean);
      assert.deepEqual(conffiles, a.hasConfig ? [`/etc/ledge/${a.app}.json`] : [], `${a.pkg} conffiles`);
      for (const c of conffiles) assert.ok(deb.files.has(c), c);
      // Shipped 0644 root:root (dpkg-deb cannot carry the dynamically allocated group ledge); the
      // postinst makes them root:<group> 0640 (the install test below).
      for (const c of conffiles) assert.equal(mode(c), '-rw-r--r--', `${a.pkg} ${c}`);
      assert.deepEqual([...deb.files.keys()].filter((p) => p.startsWith(SECRETS_DIR)), [], `${a.pkg}: no secret is shipped, every gateway makes its own`);
      const sums = (deb.control('md5sums') ?? '').trim().split('\n');
      const regular = [...deb.files.entries()].filter(([, l]) => l.startsWith('-')).map(([p]) => p.slice(1)).sort();
      assert.deepEqual(sums.map((l) => l.split(/\s+/)[1]).sort(), regular, `${a.pkg} md5sums cover every file`);
    }
    const common = debs.get('ledge-common')!;
    assert.ok(common.files.has('/var/lib/ledge'));
    assert.ok(common.files.has('/usr/lib/sysusers.d/ledge.conf'));
    assert.ok(common.files.has('/usr/lib/systemd/system/ledge.service'));
    const copyright = sh('sh', ['-c', `dpkg-deb --fsys-tarfile ${debs.get('ledge-broker')!.path} | tar -xO ./usr/share/doc/ledge-broker/copyright`]).stdout;
    assert.match(copyright, /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\//);
    assert.match(copyright, /^License: EPL-2\.0\n Eclipse Public License - v 2\.0/m);
    assert.match(copyright, /^Files: node_modules\/aedes\/\*$/m, 'bundled npm packages are listed');
  });

  it('md5sums match the packaged files', () => {
    const tree = mkdtempSync(join(tmpdir(), 'ledge-x-'));
    try {
      const deb = debs.get('ledge-broker')!;
      sh('dpkg-deb', ['-x', deb.path, tree]);
      for (const line of (deb.control('md5sums') ?? '').trim().split('\n')) {
        const [sum, file] = line.split(/\s+/);
        assert.equal(createHash('md5').update(readFileSync(join(tree, file!))).digest('hex'), sum, file);
      }
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('maintainer scripts are valid sh, use the debhelper idioms and never act on the host under DPKG_ROOT', () => {
    for (const a of apps) {
      const deb = debs.get(a.pkg)!;
      for (const name of ['postinst', 'prerm', 'postrm']) {
        const body = deb.control(name);
        if (!body) continue;
        assert.equal(sh('sh', ['-n', '-c', body], { allowFail: true }).code, 0, `${a.pkg} ${name} syntax`);
        assert.ok(body.startsWith('#!/bin/sh\nset -e\n'), `${a.pkg} ${name}`);
        for (const line of body.split('\n').filter((l) => /systemctl|deb-systemd-invoke/.test(l) && !l.trim().startsWith('#'))) {
          const guarded = body.slice(0, body.indexOf(line)).split('\n').reverse().find((l) => /\[ -z "\$DPKG_ROOT" \] && \[ -d \/run\/systemd\/system \]/.test(l));
          assert.ok(guarded, `${a.pkg} ${name}: unguarded \`${line.trim()}\``);
        }
      }
      if (a.unitName) {
        const postinst = deb.control('postinst') ?? '';
        assert.ok(postinst.includes(`deb-systemd-helper ${a.enable ? 'enable' : 'update-state'} '${a.unitName}'`), `${a.pkg} postinst`);
        assert.ok(postinst.includes(a.enable ? `deb-systemd-invoke $_ledge_action '${a.unitName}'` : `try-restart '${a.unitName}'`), `${a.pkg} start`);
        assert.ok((deb.control('prerm') ?? '').includes(`deb-systemd-invoke stop '${a.unitName}'`), `${a.pkg} prerm stops the unit`);
        assert.ok((deb.control('postrm') ?? '').includes(`deb-systemd-helper purge '${a.unitName}'`), `${a.pkg} postrm`);
      }
    }
    const commonPostinst = debs.get('ledge-common')!.control('postinst') ?? '';
    assert.ok(commonPostinst.includes('systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} ledge.conf'));
    // The accounts after the user they need, before the unit block; purge removes them.
    assert.ok(commonPostinst.indexOf('ledge_secrets "$DPKG_ROOT"') > commonPostinst.indexOf('systemd-sysusers'), 'accounts made after the ledge user');
    assert.match(debs.get('ledge-common')!.control('postrm') ?? '', /rm -rf "\$DPKG_ROOT\/etc\/ledge\/secrets"/);
    for (const a of apps.filter((x) => x.hasConfig)) {
      const group = unitGroup(readFileSync(a.unitSource, 'utf8'));
      assert.ok((debs.get(a.pkg)!.control('postinst') ?? '').includes(`ledge_config_mode "$DPKG_ROOT" '/etc/ledge/${a.app}.json' '${group}'`), `${a.pkg}: config root:${group} 0640`);
    }
  });

  it('lintian reports no errors, and every warning is explained in packaging/README.md', () => {
    const r = sh('lintian', ['--display-level', '>=warning', '--no-tag-display-limit', ...[...debs.values()].map((d) => d.path)], { allowFail: true });
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^[EWX]: /.test(l));
    const errors = lines.filter((l) => /^[EX]: /.test(l));
    assert.deepEqual(errors, [], `lintian errors:\n${errors.join('\n')}`);
    const readme = readFileSync(join(root, 'packaging', 'README.md'), 'utf8');
    for (const w of lines.filter((l) => l.startsWith('W: '))) {
      const tag = /^W: [^:]+: (\S+)/.exec(w)?.[1] ?? w;
      assert.ok(readme.includes(`\`${tag}\``), `lintian warning not explained in packaging/README.md: ${w}`);
    }
  });

  it('units: hardened, Restart=on-failure, watchdog, per-app units conflict with the all-in-one ledge.service', () => {
    const text = (a: AppPackage) => readFileSync(a.unitSource, 'utf8');
    const values = (unit: string, key: string) =>
      unit
        .split('\n')
        .filter((l) => l.startsWith(`${key}=`))
        .flatMap((l) => l.slice(key.length + 1).split(/\s+/).filter(Boolean));
    const perApp = apps.filter((a) => a.unitName && a.app !== 'ledge');
    const aio = text(apps.find((a) => a.app === 'ledge')!);
    // Root units (software update runs install scripts, container management drives containerd and
    // container networking) are not hosted by the all-in-one ledge.service, which runs as user ledge.
    const privileged = (a: AppPackage) => values(text(a), 'User')[0] === 'root';
    for (const a of apps.filter((x) => x.unitName)) {
      const u = text(a);
      // the watchdog (issue 21): pings come from systemd-notify, a child, hence NotifyAccess=all
      const required = ['NoNewPrivileges=yes', 'Restart=on-failure', 'WantedBy=multi-user.target', `ExecStart=/usr/bin/${a.bin}`, 'NotifyAccess=all', 'WatchdogSec=', 'TimeoutAbortSec='];
      required.push(a.app === 'container-management' ? 'Type=exec' : 'Type=notify');
      if (!privileged(a)) required.push('ProtectSystem=strict');
      // PrivateTmp= unless the unit says why not (file upload reads Kanto's default /var/tmp/file-upload).
      if (!privileged(a) && !/^# No PrivateTmp=: \S/m.test(u)) required.push('PrivateTmp=yes');
      for (const line of required) assert.ok(u.split('\n').some((l) => l.startsWith(line)), `${a.unitName}: ${line}`);
      assert.ok(values(u, 'User').length === 1, `${a.unitName}: User=`);
      if (privileged(a)) assert.match(u, /^# Runs as root/m, `${a.unitName}: says why it runs as root`);
    }
    const hosted = (/^ExecStart=\/usr\/bin\/ledge run --apps (\S+)$/m.exec(aio)?.[1] ?? '').split(',');
    for (const a of perApp) {
      const u = text(a);
      assert.ok(values(u, 'StateDirectory').includes(`ledge/${a.app}`), `${a.unitName}: StateDirectory=ledge/${a.app}`);
      if (privileged(a)) {
        assert.deepEqual(values(u, 'Conflicts'), [], `${a.unitName} runs next to ledge.service`);
        assert.ok(!hosted.includes(a.app), `ledge.service must not host ${a.app}`);
        assert.ok(!values(u, 'Wants').includes('ledge-broker.service'), `${a.unitName}: no Wants= on a unit that conflicts with ledge.service`);
        assert.ok(values(u, 'After').includes('ledge-broker.service') && values(u, 'After').includes('ledge.service'), `${a.unitName} after the bus in either form`);
      } else {
        assert.deepEqual(values(u, 'Conflicts'), ['ledge.service'], `${a.unitName} conflicts with ledge.service`);
        assert.ok(values(aio, 'Conflicts').includes(a.unitName), `ledge.service conflicts with ${a.unitName}`);
        assert.ok(hosted.includes(a.app), `ledge.service hosts ${a.app}`);
        assert.ok(values(aio, 'StateDirectory').includes(`ledge/${a.app}`), `ledge.service: StateDirectory=ledge/${a.app}`);
        if (a.app !== 'broker') {
          assert.ok(values(u, 'After').includes('ledge-broker.service') && values(u, 'Wants').includes('ledge-broker.service'), `${a.unitName} after the broker`);
        }
      }
      if (a.app === 'container-management') assert.ok(values(u, 'After').includes('containerd.service'), `${a.unitName} after containerd`);
      // State directories: 0750 (the unit's user and group) or stricter.
      assert.match(values(u, 'StateDirectoryMode')[0] ?? '', /^0?7[50]0$/, `${a.unitName}: StateDirectoryMode 0750 or stricter`);
    }
  });

  it('systemd-analyze verify accepts the units as packaged', { skip: skipVerify }, () => {
    const withUnits = apps.filter((a) => a.unitName);
    const r = verifyUnits(
      withUnits.map((a) => a.unitSource),
      withUnits.map((a) => `/usr/bin/${a.bin}`),
      withUnits.map((a) => a.unitName),
    );
    assert.equal(r.output, '', r.output);
    assert.equal(r.code, 0);
  });

  const dpkgSkip =
    skipUnlessTools('dpkg, systemd-sysusers and deb-systemd-helper (apt-get install -y systemd init-system-helpers)', missingOf('dpkg', 'systemd-sysusers', 'deb-systemd-helper').length > 0) ||
    (process.getuid?.() !== 0 && 'needs root');

  it('installs, removes and purges in a throwaway root without touching this machine', { skip: dpkgSkip }, () => {
    const { target, dpkg } = scratchRoot(debs.values());
    const hostPasswd = readFileSync('/etc/passwd', 'utf8');
    const hostWants = '/etc/systemd/system/multi-user.target.wants';
    const hostHadBroker = existsSync(join(hostWants, 'ledge-broker.service'));
    const hostHadSecrets = existsSync(SECRETS_DIR);
    try {
      const pkgs = [...debs.values()].map((d) => d.path);
      dpkg('-i', ...pkgs);

      assert.match(readFileSync(join(target, 'etc/passwd'), 'utf8'), /^ledge:x:\d+:\d+:[^:]*:\/var\/lib\/ledge:\/usr\/sbin\/nologin$/m);
      const wants = join(target, hostWants);
      const ledgeGid = ids(join(target, 'etc/group')).get('ledge');
      for (const a of apps.filter((x) => x.unitName)) {
        const link = join(wants, a.unitName);
        if (a.enable) assert.equal(readlinkSync(link), `/usr/lib/systemd/system/${a.unitName}`, `${a.unitName} enabled`);
        else assert.equal(existsSync(link) || isLink(link), false, `${a.unitName} installed disabled`);
        if (a.hasConfig) {
          const group = unitGroup(readFileSync(a.unitSource, 'utf8'));
          assert.equal(modeOwner(join(target, `etc/ledge/${a.app}.json`)), `640 0:${group === 'ledge' ? ledgeGid : 0}`, `/etc/ledge/${a.app}.json root:${group} 0640`);
        }
      }
      assertSecrets(target, localBusAccounts({ appsDir: join(root, 'apps') }));
      mkdirSync(join(target, 'var/lib/ledge/broker'), { recursive: true });
      writeFileSync(join(target, 'var/lib/ledge/broker/state'), 'x');

      dpkg('-r', 'ledge', 'ledge-broker');
      assert.equal(existsSync(join(target, 'usr/bin/ledge-broker')), false, 'program removed');
      assert.ok(existsSync(join(target, 'etc/ledge/broker.json')), 'conffile kept on remove');
      assert.ok(existsSync(join(target, 'var/lib/ledge/broker/state')), 'state kept on remove');

      dpkg('-P', ...apps.map((a) => a.pkg));
      assert.equal(existsSync(join(target, 'etc/ledge/broker.json')), false, 'conffile purged');
      assert.equal(existsSync(join(target, 'var/lib/ledge')), false, 'state purged');
      assert.equal(existsSync(join(target, 'etc/ledge')), false, '/etc/ledge (the accounts too) purged');
      assert.deepEqual(existsSync(wants) ? readdirSync(wants).filter((f) => f.startsWith('ledge')) : [], [], 'enablement symlinks purged');
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
    assert.equal(readFileSync('/etc/passwd', 'utf8'), hostPasswd, "this machine's users are untouched");
    assert.equal(existsSync(join(hostWants, 'ledge-broker.service')), hostHadBroker, "this machine's units are untouched");
    assert.equal(existsSync(SECRETS_DIR), hostHadSecrets, "this machine's /etc/ledge is untouched");
  });

  it('ledge-common keeps the passwords on reinstall and upgrade, heals a lost one and rewrites broker.passwd; purge removes them', { skip: dpkgSkip }, () => {
    const { target, dpkg } = scratchRoot(debs.values());
    const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
    const common = debs.get('ledge-common')!.path;
    try {
      // ledge-common alone: the all-in-one deployment needs every account too, and the broker must
      // start with all of them whichever app packages come later.
      dpkg('-i', common);
      const first = assertSecrets(target, accounts);

      dpkg('-i', common); // reinstall: configure runs again (as on an upgrade, with the old version in $2)
      assert.deepEqual(assertSecrets(target, accounts), first, 'passwords kept on reinstall');

      // An admin (or a broken disk) loses one password and the broker's file, and someone loosens a mode.
      unlinkSync(join(target, accounts[0]!.passwordFile));
      unlinkSync(join(target, BROKER_PASSWD));
      sh('chmod', ['0644', join(target, accounts[1]!.passwordFile)]);
      writeFileSync(join(target, SECRETS_DIR, 'stale.password'), 'left by an app that no longer exists\n');
      dpkg('-i', common);
      const healed = assertSecrets(target, accounts);
      assert.notEqual(healed.get(accounts[0]!.app), first.get(accounts[0]!.app), 'a lost password is drawn anew');
      for (const a of accounts.slice(1)) assert.equal(healed.get(a.app), first.get(a.app), `${a.app}: kept`);

      dpkg('-P', 'ledge-common');
      assert.equal(existsSync(join(target, SECRETS_DIR)), false, 'purge removes /etc/ledge/secrets');
      assert.equal(existsSync(join(target, 'etc/ledge')), false, 'and /etc/ledge, now empty');
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
