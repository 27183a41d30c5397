#!/usr/bin/env node
// `npm run yocto:sync`: copies what the meta-ledge recipes install into the layer (yocto/meta-ledge/README.md
// "Where the files come from"): for each app, dist/apps/<app>/main.js (+ package.json) and
// apps/<app>/packaging/<app>.service and <app>.json into recipes-ledge/ledge/files/<app>/, and the
// version from package.json into classes/ledge-app.bbclass; and ledge/ledge-secrets, the script of
// ledge-secrets.service (the local broker accounts, packaging/lib/secrets.mjs). Run after `npm run build`.
// Usage: node yocto/sync.mjs [--layer yocto/meta-ledge] [--dist dist/apps]
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverApps, readVersion, stubConfig } from '../packaging/lib/apps.mjs';
import { localBusAccounts, secretsScript } from '../packaging/lib/secrets.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { values: opts } = parseArgs({
  options: {
    layer: { type: 'string', default: join(root, 'yocto', 'meta-ledge') },
    dist: { type: 'string', default: join(root, 'dist', 'apps') },
  },
});

if (!existsSync(join(opts.layer, 'conf', 'layer.conf'))) {
  process.stderr.write(`yocto:sync: ${opts.layer} is not a layer (no conf/layer.conf)\n`);
  process.exit(1);
}
let apps;
try {
  apps = discoverApps({ root, distDir: opts.dist });
} catch (err) {
  process.stderr.write(`yocto:sync: ${err.message}\n`);
  process.exit(1);
}
const files = join(opts.layer, 'recipes-ledge', 'ledge', 'files');
rmSync(files, { recursive: true, force: true });
for (const a of apps) {
  const dir = join(files, a.app);
  mkdirSync(dir, { recursive: true });
  copyFileSync(a.bundle, join(dir, 'main.js'));
  const pkgJson = join(a.bundle, '..', 'package.json');
  if (existsSync(pkgJson)) copyFileSync(pkgJson, join(dir, 'package.json'));
  else writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  if (a.unitSource) copyFileSync(a.unitSource, join(dir, `${a.app}.service`));
  if (a.hasConfig) {
    if (a.configSource) copyFileSync(a.configSource, join(dir, `${a.app}.json`));
    else writeFileSync(join(dir, `${a.app}.json`), stubConfig(a));
  }
  // ledge-common's ledge-secrets.service runs it at boot: the same accounts as the Debian postinst.
  if (a.app === 'ledge') writeFileSync(join(dir, 'ledge-secrets'), secretsScript(localBusAccounts({ appsDir: join(root, 'apps') })), { mode: 0o755 });
  process.stdout.write(`synced ${a.app} -> ${dir}\n`);
}
const bbclass = join(opts.layer, 'classes', 'ledge-app.bbclass');
const version = readVersion(root);
const text = readFileSync(bbclass, 'utf8');
const next = text.replace(/^LEDGE_VERSION = ".*"$/m, `LEDGE_VERSION = "${version}"`);
if (next !== text) {
  writeFileSync(bbclass, next);
  process.stdout.write(`LEDGE_VERSION = "${version}" in ${bbclass}\n`);
}
