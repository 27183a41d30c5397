#!/usr/bin/env node
// Builds the Debian packages of Ledge from the bundles in dist/apps (packaging/README.md):
//   ledge-common   the `ledge` CLI, the ledge system user, /var/lib/ledge, ledge.service (all-in-one, disabled);
//                  its postinst makes every app's local bus account in /etc/ledge/secrets (lib/secrets.mjs)
//   ledge-<app>    one per app: /usr/lib/ledge/<app>/main.js, /usr/bin/ledge-<app>, /etc/ledge/<app>.json
//                  (root:<the unit's group> 0640 once configured), ledge-<app>.service (enabled and started)
//   ledge          metapackage: ledge-common and every app
// All are Architecture: all (pure JavaScript) and depend on Debian's nodejs.
// Usage: node packaging/build-deb.mjs [--dist dist/apps] [--out dist/deb] [--app <app>]... [--revision 1]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { discoverApps, NODE_MIN, readMeta, readVersion, stubConfig } from './lib/apps.mjs';
import { buildDeb, copyFile, description, gz, UNIT_DIR, writeFile } from './lib/deb.mjs';
import { changelogFile, copyrightFile, manPage } from './lib/docs.mjs';
import { maintainerScripts } from './lib/maintscripts.mjs';
import { localBusAccounts, unitGroup } from './lib/secrets.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { values: opts } = parseArgs({
  options: {
    dist: { type: 'string', default: join(root, 'dist', 'apps') },
    out: { type: 'string', default: join(root, 'dist', 'deb') },
    app: { type: 'string', multiple: true },
    revision: { type: 'string', default: '1' },
    'keep-tree': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write('usage: node packaging/build-deb.mjs [--dist dist/apps] [--out dist/deb] [--app <app>]... [--revision 1] [--keep-tree]\n');
  process.exit(0);
}

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['-C', root, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return Math.floor(Date.now() / 1000); // not a git checkout (e.g. a release tarball)
  }
}

const t0 = Date.now();
const meta = readMeta(root);
const upstream = readVersion(root);
const version = `${upstream}-${opts.revision}`;
const epoch = sourceDateEpoch();
const date = new Date(epoch * 1000);
let apps;
try {
  apps = discoverApps({ root, distDir: opts.dist, ...(opts.app ? { only: opts.app } : {}) });
} catch (err) {
  process.stderr.write(`build-deb: ${err.message}\n`);
  process.exit(1);
}
// Every app that dials the broker, whichever packages this run builds: ledge-common makes them all.
const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
const work = mkdtempSync(join(tmpdir(), 'ledge-deb-'));
const common = (pkg) => ({
  Package: pkg,
  Source: meta.source,
  Version: version,
  Architecture: 'all',
  Maintainer: meta.maintainer,
  Section: meta.section,
  Priority: 'optional',
  'Multi-Arch': 'foreign',
  Homepage: meta.homepage,
});
const docs = (tree, pkg, bundles) => {
  writeFile(tree, `usr/share/doc/${pkg}/copyright`, copyrightFile({ root, bundles, year: String(date.getUTCFullYear()), upstream: 'Ledge' }));
  writeFile(tree, `usr/share/doc/${pkg}/changelog.Debian.gz`, gz(changelogFile({ source: meta.source, version, maintainer: meta.maintainer, date })));
};

const built = [];
try {
  for (const a of apps) {
    const tree = join(work, a.pkg);
    const isCli = a.app === 'ledge';
    copyFile(tree, `usr/lib/ledge/${a.app}/main.js`, a.bundle, 0o755);
    // {"type":"commonjs"} beside the bundle, as in dist/: main.js stays CommonJS wherever it is copied.
    const pkgJson = join(a.bundle, '..', 'package.json');
    if (existsSync(pkgJson)) copyFile(tree, `usr/lib/ledge/${a.app}/package.json`, pkgJson);
    writeFile(
      tree,
      `usr/bin/${a.bin}`,
      `#!/bin/sh\n# ${a.bin}: ${a.summary.replace(/^Ledge IoT edge stack - /, 'Ledge ')}.\n# The app is one JavaScript bundle, run by the system's Node.js (>= ${NODE_MIN}).\nexec /usr/bin/node /usr/lib/ledge/${a.app}/main.js "$@"\n`,
      0o755,
    );
    const conffiles = [];
    if (a.hasConfig) {
      const path = `etc/ledge/${a.app}.json`;
      if (a.configSource) copyFile(tree, path, a.configSource);
      else writeFile(tree, path, stubConfig(a));
      JSON.parse(readFileSync(join(tree, path), 'utf8')); // a broken conffile must not ship
      conffiles.push(`/${path}`);
    }
    if (a.unitSource) copyFile(tree, `${UNIT_DIR}/${a.unitName}`, a.unitSource);
    if (isCli) {
      copyFile(tree, 'usr/lib/sysusers.d/ledge.conf', join(root, 'packaging', 'common', 'ledge.sysusers.conf'));
      mkdirSync(join(tree, 'var/lib/ledge'), { recursive: true }); // root-owned; each unit's StateDirectory= makes its own subfolder
    }
    const legal = `${a.bundle}.LEGAL.txt`;
    if (existsSync(legal)) copyFile(tree, `usr/share/doc/${a.pkg}/LEGAL.txt`, legal);
    const files = [
      { path: `/usr/lib/ledge/${a.app}/main.js`, what: 'the application bundle' },
      ...(a.hasConfig ? [{ path: `/etc/ledge/${a.app}.json`, what: 'configuration (overrides of the defaults)' }] : [{ path: '/etc/ledge/<app>.json', what: 'configuration of each app' }]),
      ...(a.unitName ? [{ path: `/${UNIT_DIR}/${a.unitName}`, what: 'the systemd unit' }] : []),
      ...(isCli ? [{ path: '/etc/ledge/secrets', what: "the local broker accounts: each app's password, the broker's password file" }] : []),
      ...accounts.filter((x) => x.app === a.app).map((x) => ({ path: x.passwordFile, what: `the password of the local broker account ${x.account}` })),
      ...(a.app === 'broker' ? [{ path: '/etc/ledge/secrets/broker.passwd', what: "the apps' accounts (made by ledge-common)" }] : []),
      { path: isCli ? '/var/lib/ledge' : `/var/lib/ledge/${a.app}`, what: 'state' },
    ];
    writeFile(tree, `usr/share/man/man1/${a.bin}.1.gz`, gz(manPage({ bin: a.bin, summary: a.summary, bundle: a.bundle, date, version: upstream, files })));
    docs(tree, a.pkg, [a.bundle]);
    const depends = [`nodejs (>= ${NODE_MIN})`];
    if (isCli) depends.push('systemd | systemd-standalone-sysusers | systemd-sysusers');
    else depends.push(`ledge-common (= ${version})`);
    depends.push(...a.depends);
    const scripts = maintainerScripts({
      ...(a.unitName ? { unit: a.unitName } : {}),
      enable: a.enable,
      ...(isCli ? { sysusers: 'ledge.conf', stateDir: '/var/lib/ledge', accounts } : { stateDir: `/var/lib/ledge/${a.app}` }),
      ...(a.hasConfig ? { config: { path: `/etc/ledge/${a.app}.json`, group: a.unitSource ? unitGroup(readFileSync(a.unitSource, 'utf8')) : 'root' } } : {}),
    });
    built.push(
      buildDeb({
        tree,
        out: opts.out,
        epoch,
        conffiles,
        scripts,
        control: { ...common(a.pkg), Depends: depends.join(', '), Description: description(a.summary, a.description) },
      }),
    );
  }
  if (!opts.app) {
    const tree = join(work, 'ledge');
    docs(tree, 'ledge', []);
    const members = apps.filter((a) => a.inMeta).map((a) => `${a.pkg} (= ${version})`);
    built.push(
      buildDeb({
        tree,
        out: opts.out,
        epoch,
        control: {
          ...common('ledge'),
          Depends: members.join(', '),
          Description: description(
            'IoT edge stack for gateways, Eclipse Kanto compatible (metapackage)',
            `This metapackage installs the whole Ledge stack, one systemd unit per app: ${apps
              .filter((a) => a.inMeta)
              .map((a) => a.pkg)
              .join(', ')}. Ledge is an edge software stack for IoT gateways that speaks Eclipse Kanto's wire contract.`,
          ),
        },
      }),
    );
  }
} finally {
  if (opts['keep-tree']) process.stdout.write(`package trees kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
for (const deb of built) process.stdout.write(`built ${relative(process.cwd(), deb) || deb}\n`);
process.stdout.write(`${built.length} packages (version ${version}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
