// /usr/share/doc/<pkg>/copyright (machine-readable, DEP-5), changelog.Debian and manual pages.
// A bundle carries the code of its npm dependencies, so its copyright file lists each bundled package
// with the license text that package ships (MIT/ISC/BSD/Apache notices require that).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** npm package directories whose code esbuild put in a bundle (the `sources` of its main.js.map). */
export function bundledPackages(bundlePath, root) {
  const mapPath = `${bundlePath}.map`;
  if (!existsSync(mapPath)) throw new Error(`${mapPath} is missing: build the bundle with tools/build-app.mjs (it lists the bundled sources)`);
  const { sources } = JSON.parse(readFileSync(mapPath, 'utf8'));
  const dirs = new Map();
  for (const source of sources) {
    // Paths in the map are relative to the map's directory.
    const abs = resolve(dirname(bundlePath), source);
    // (A bundled package's own source map can name files outside it, e.g. @js-sdsl/.build-data: npm names never start with a dot.)
    const m = /^(.*node_modules\/(?:@[^/.][^/]*\/[^/.][^/]*|[^@/.][^/]*))\//.exec(abs);
    if (!m) continue;
    const dir = m[1];
    const name = dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!dirs.has(name)) dirs.set(name, existsSync(join(dir, 'package.json')) ? dir : existsSync(join(root, 'node_modules', name, 'package.json')) ? join(root, 'node_modules', name) : undefined);
  }
  return [...dirs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => ({ name, dir }));
}

const COMMON_LICENSES = new Map([
  ['Apache-2.0', 'Apache License, Version 2.0'],
  ['MPL-2.0', 'Mozilla Public License, Version 2.0'],
  ['GPL-2.0', 'GNU General Public License, version 2'],
  ['GPL-3.0', 'GNU General Public License, version 3'],
  ['LGPL-2.1', 'GNU Lesser General Public License, version 2.1'],
]);

function licenseText(dir) {
  if (!dir) return undefined;
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8') : undefined;
}

/** DEP-5 continuation lines: every line indented by one space, empty lines as " .". */
function formatText(text) {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\t/g, '    ')
    .trimEnd()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`))
    .join('\n');
}

function spdx(license) {
  if (typeof license === 'string') return license.replace(/^\((.*)\)$/, '$1').replace(/ OR /g, ' or ').replace(/ AND /g, ' and ');
  if (license && typeof license === 'object' && 'type' in license) return String(license.type);
  return 'unknown';
}

/**
 * @param {{ root: string, bundles: string[], year: string, upstream: string }} o
 * @returns {string} the copyright file
 */
export function copyrightFile({ root, bundles, year, upstream }) {
  const epl = readFileSync(join(root, 'packaging', 'licenses', 'EPL-2.0'), 'utf8');
  const parts = [
    `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ${upstream}
Comment: Ledge is shipped as single-file JavaScript bundles (esbuild) that contain the npm packages
 listed below; their license texts follow.

Files: *
Copyright: ${year} The Ledge contributors
License: EPL-2.0`,
  ];
  const seen = new Set();
  const pkgs = bundles.flatMap((b) => bundledPackages(b, root)).filter((p) => !seen.has(p.name) && seen.add(p.name));
  for (const { name, dir } of pkgs) {
    const pj = dir ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) : {};
    const lic = spdx(pj.license ?? pj.licenses?.[0]);
    const author = typeof pj.author === 'string' ? pj.author : pj.author?.name;
    // Debian policy 12.5: licenses in /usr/share/common-licenses are referenced, not copied (lintian
    // copyright-file-contains-full-apache-2-license is an error).
    const common = COMMON_LICENSES.get(lic);
    const text = common ? `On Debian systems, the complete text of the ${common} can be found in\n/usr/share/common-licenses/${lic}.` : licenseText(dir);
    parts.push(
      [
        `Files: node_modules/${name}/*`,
        `Copyright: ${author ? author.replace(/\s*<[^>]*>/, '').replace(/\s*\([^)]*\)/, '') : `the ${name} authors`}`,
        `License: ${lic}`,
        text ? formatText(text) : formatText(`${name}${pj.version ? ` ${pj.version}` : ''} is distributed under ${lic}; it ships no license file.`),
        `Comment: npm package ${name}${pj.version ? ` ${pj.version}` : ''}, bundled into the Ledge JavaScript bundles.`,
      ].join('\n'),
    );
  }
  parts.push(`License: EPL-2.0\n${formatText(epl)}`);
  return `${parts.join('\n\n')}\n`;
}

/** Debian changelog of one entry per build; the version and date make it reproducible. */
export function changelogFile({ source, version, maintainer, date }) {
  return `${source} (${version}) unstable; urgency=medium

  * Ledge ${version.replace(/-[^-]*$/, '')}: built from the Ledge repository (packaging/build-deb.mjs).
    Changes are described in the repository's history.

 -- ${maintainer}  ${date.toUTCString().replace(/GMT$/, '+0000')}
`;
}

function roff(text) {
  return text
    .split('\n')
    .map((l) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1'))
    .join('\n');
}

/** A manual page from the program's own --help output (the config table lives there). */
export function manPage({ bin, summary, bundle, date, version, files }) {
  const r = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, LEDGE_DEV_DIR: '' } });
  const help = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : `Run ${bin} --help for the options.`;
  const month = date.toISOString().slice(0, 10);
  return `.TH ${bin.toUpperCase()} 1 "${month}" "Ledge ${version}" "Ledge"
.SH NAME
${bin} \\- ${summary.replace(/^Ledge IoT edge stack - /, '').replace(/-/g, '\\-')}
.SH SYNOPSIS
.B ${bin}
[\\fIoptions\\fR]
.SH DESCRIPTION
The output of
.B ${bin} \\-\\-help
follows.
.PP
.nf
${roff(help)}
.fi
.SH FILES
${files.map((f) => `.TP\n.I ${f.path}\n${f.what}`).join('\n')}
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1)
`;
}
