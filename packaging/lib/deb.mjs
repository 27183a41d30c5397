// Lays out one binary package's tree (files per Debian policy + DEBIAN/) and builds it with dpkg-deb.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Units go where Debian 13's debhelper puts them (merged /usr; DEP 17). */
export const UNIT_DIR = 'usr/lib/systemd/system';

export function writeFile(tree, path, content, mode = 0o644) {
  const p = join(tree, path);
  mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
  writeFileSync(p, content);
  chmodSync(p, mode);
}

export function copyFile(tree, path, from, mode = 0o644) {
  const p = join(tree, path);
  mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
  copyFileSync(from, p);
  chmodSync(p, mode);
}

/** gzip -9n: no name, no timestamp, so the package is reproducible. */
export function gz(content) {
  return gzipSync(Buffer.from(content), { level: 9 });
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function dirSizeKiB(tree) {
  let bytes = 0;
  for (const f of walk(tree)) if (!relative(tree, f).startsWith('DEBIAN')) bytes += lstatSync(f).size;
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Pins every mtime to SOURCE_DATE_EPOCH (dpkg-deb clamps to it too) for reproducible packages. */
function clampTimes(tree, epoch) {
  const t = new Date(epoch * 1000);
  const all = [...walk(tree), ...walkDirs(tree)];
  for (const p of all) utimesSync(p, t, t);
}

function walkDirs(dir, out = [dir]) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      out.push(join(dir, e.name));
      walkDirs(join(dir, e.name), out);
    }
  }
  return out;
}

/** Debian control "Description": first line the summary, then the long text folded at 79 columns. */
export function description(summary, long) {
  const words = long.split(/\s+/).filter(Boolean);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > 78) {
      lines.push(` ${line}`);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(` ${line}`);
  return `${summary}\n${lines.join('\n')}`;
}

/**
 * @param {{ tree: string, out: string, control: Record<string, string>, conffiles?: string[],
 *           scripts?: Record<string, string>, epoch: number }} o
 * @returns {string} path of the .deb
 */
export function buildDeb({ tree, out, control, conffiles = [], scripts = {}, epoch }) {
  const debian = join(tree, 'DEBIAN');
  mkdirSync(debian, { recursive: true, mode: 0o755 });
  for (const [name, body] of Object.entries(scripts)) writeFile(tree, `DEBIAN/${name}`, body, 0o755);
  if (conffiles.length > 0) writeFile(tree, 'DEBIAN/conffiles', `${conffiles.join('\n')}\n`);
  const sums = walk(tree)
    .filter((f) => !relative(tree, f).startsWith('DEBIAN'))
    .sort()
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(tree, f)}`);
  writeFile(tree, 'DEBIAN/md5sums', `${sums.join('\n')}\n`);
  const fields = { ...control, 'Installed-Size': String(dirSizeKiB(tree)) };
  const order = ['Package', 'Source', 'Version', 'Architecture', 'Maintainer', 'Installed-Size', 'Depends', 'Recommends', 'Suggests', 'Conflicts', 'Section', 'Priority', 'Multi-Arch', 'Homepage', 'Description'];
  const keys = [...order.filter((k) => fields[k]), ...Object.keys(fields).filter((k) => !order.includes(k) && fields[k])];
  writeFile(tree, 'DEBIAN/control', `${keys.map((k) => `${k}: ${fields[k]}`).join('\n')}\n`);
  for (const d of walkDirs(tree)) chmodSync(d, 0o755);
  clampTimes(tree, epoch);
  mkdirSync(out, { recursive: true });
  const deb = join(out, `${fields.Package}_${fields.Version}_${fields.Architecture}.deb`);
  rmSync(deb, { force: true });
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  if (r.error) throw new Error(`dpkg-deb: ${r.error.message} (install Debian's dpkg-dev)`);
  if (r.status !== 0) throw new Error(`dpkg-deb failed for ${fields.Package}:\n${r.stderr}`);
  if (!statSync(deb).isFile()) throw new Error(`dpkg-deb wrote no ${deb}`);
  return deb;
}
