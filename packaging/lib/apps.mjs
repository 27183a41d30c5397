// Which apps get packaged, and how (packaging/README.md "Adding an app"). An app is packaged when it has
// a bundle dist/apps/<app>/main.js or a folder apps/<app>/packaging/; both must exist by build time.
// Everything else comes from conventions, overridden per app in packaging/apps.json, where `"packaged":
// false` marks a development tool (the dev cloud) that has a bundle but ships in no package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Node.js the bundles need: package.json "engines" (>= 20.19) as a Debian relation. */
export const NODE_MIN = '20.19';

/**
 * @typedef {object} AppPackage
 * @property {string} app            app name (apps/<app>, dist/apps/<app>)
 * @property {string} pkg            Debian/Yocto package name
 * @property {string} bin            /usr/bin/<bin>
 * @property {string} bundle         path of main.js
 * @property {string} unitName       installed unit name, or '' when the app ships none
 * @property {string} unitSource     apps/<app>/packaging/<app>.service, or ''
 * @property {string} configSource   apps/<app>/packaging/<app>.json, or '' (a stub conffile is shipped)
 * @property {boolean} hasConfig     whether /etc/ledge/<app>.json is shipped (all apps but the CLI)
 * @property {boolean} enable        enable + start the unit on install
 * @property {boolean} inMeta        part of the `ledge` metapackage
 * @property {string} summary
 * @property {string} description
 * @property {string[]} depends      extra runtime dependencies (Debian syntax)
 */

export function readMeta(root) {
  return JSON.parse(readFileSync(join(root, 'packaging', 'apps.json'), 'utf8'));
}

export function readVersion(root) {
  const v = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (!/^\d+\.\d+\.\d+([~+][0-9A-Za-z.~+]+)?$/.test(v)) throw new Error(`package.json version ${v} is not a Debian upstream version`);
  return v;
}

function listDirs(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return []; // folder absent: no apps from there
  }
}

/**
 * Finds the apps to package. `distDir` holds <app>/main.js; `appsDir` holds <app>/packaging/.
 * Throws when an app has packaging files but no bundle (or the reverse): a half-packaged app is a bug.
 * @returns {AppPackage[]} the CLI (`ledge`) first, then the others by name
 */
export function discoverApps({ root, distDir = join(root, 'dist', 'apps'), appsDir = join(root, 'apps'), only } = {}) {
  const meta = readMeta(root);
  const names = new Set([
    ...listDirs(distDir).filter((a) => existsSync(join(distDir, a, 'main.js'))),
    ...listDirs(appsDir).filter((a) => existsSync(join(appsDir, a, 'packaging'))),
  ]);
  const problems = [];
  const apps = [];
  for (const app of [...names].sort((a, b) => (a === 'ledge' ? -1 : b === 'ledge' ? 1 : a.localeCompare(b)))) {
    if (only && !only.includes(app)) continue;
    const m = meta.apps[app] ?? {};
    // a development tool (apps.json "packaged": false) ships nowhere; packaging files for it would be a mistake
    if (m.packaged === false) {
      if (existsSync(join(appsDir, app, 'packaging'))) problems.push(`${app}: packaging/apps.json says "packaged": false, yet apps/${app}/packaging/ exists`);
      continue;
    }
    const bundle = join(distDir, app, 'main.js');
    const packagingDir = join(appsDir, app, 'packaging');
    if (!existsSync(bundle)) problems.push(`${app}: no bundle ${bundle} (run: node tools/build-app.mjs ${app})`);
    const defaultUnit = app === 'ledge' ? 'ledge.service' : `ledge-${app}.service`;
    const unitSource = join(packagingDir, `${app}.service`);
    const configSource = join(packagingDir, `${app}.json`);
    apps.push({
      app,
      pkg: m.package ?? `ledge-${app}`,
      bin: m.bin ?? `ledge-${app}`,
      bundle,
      unitName: existsSync(unitSource) ? (m.unit ?? defaultUnit) : '',
      unitSource: existsSync(unitSource) ? unitSource : '',
      configSource: existsSync(configSource) ? configSource : '',
      hasConfig: app !== 'ledge' || existsSync(configSource),
      enable: m.enable ?? true,
      inMeta: m.meta ?? true,
      summary: m.summary ?? `Ledge IoT edge stack - ${app}`,
      description: m.description ?? `The Ledge ${app} app.`,
      depends: m.depends ?? [],
    });
  }
  if (only) {
    for (const o of only) if (!names.has(o)) problems.push(`${o}: unknown app (no dist/apps/${o}/main.js, no apps/${o}/packaging/)`);
  }
  if (problems.length > 0) throw new Error(`cannot package:\n  ${problems.join('\n  ')}`);
  if (!apps.some((a) => a.app === 'ledge') && !only) throw new Error('cannot package: the ledge CLI bundle (ledge-common) is missing');
  return apps;
}

/** The conffile shipped when apps/<app>/packaging/<app>.json does not exist: overrides nothing. */
export function stubConfig(a) {
  const env = `LEDGE_${a.app.replace(/-/g, '_').toUpperCase()}_<KEY>`;
  return `{\n  "//": "Overrides of ${a.bin}'s defaults (see: ${a.bin} --help). Environment ${env} and flags override this file."\n}\n`;
}
