// The base image: Debian 13 (trixie) arm64 with systemd, Debian's arm64 kernel and Node.js, built once
// with mmdebstrap (arm64 maintainer scripts run through qemu-user) and cached as a tarball under
// ~/.cache/ledge/e2e/. Anything that changes the image changes the cache key.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc';

export interface ImageSpec {
  suite: string;
  arch: string;
  mirror: string;
  /** Debian packages besides the essential set: what the Ledge packages depend on goes here too. */
  packages: readonly string[];
}

/** Bump when the way the image is made changes (not needed for package or suite changes). */
const RECIPE = 1;

export const defaultImageSpec: Readonly<ImageSpec> = Object.freeze({
  suite: 'trixie',
  arch: 'arm64',
  mirror: process.env['LEDGE_E2E_MIRROR'] ?? 'http://deb.debian.org/debian',
  packages: Object.freeze([
    'systemd',
    'systemd-sysv',
    'udev',
    'linux-image-arm64',
    'nodejs',
    'iproute2',
    'netbase',
    // ledge-container-management's dependencies (its unit starts at boot and talks to containerd)
    'containerd',
    'runc',
    'containernetworking-plugins',
    'iptables',
    // not for the gateway: the arm64 busybox the desired-state scenario builds its test image from
    'busybox-static',
  ]),
});

/** Copies the base image's static busybox (arm64) out of its tarball to `dest`. */
export async function extractBusybox(tarball: string, dest: string): Promise<void> {
  const dir = join(dest, '..');
  // usrmerge: dpkg put /bin/busybox under /usr/bin, which the tarball holds as ./usr/bin/busybox
  await run('tar', ['-xf', tarball, '-C', dir, './usr/bin/busybox'], { timeoutMs: 5 * 60_000 });
  renameSync(join(dir, 'usr', 'bin', 'busybox'), dest);
  rmSync(join(dir, 'usr'), { recursive: true, force: true });
}

export function cacheRoot(): string {
  return process.env['LEDGE_E2E_CACHE'] ?? join(homedir(), '.cache', 'ledge', 'e2e');
}

export function imageKey(spec: ImageSpec): string {
  const hash = createHash('sha256').update(JSON.stringify({ RECIPE, ...spec, packages: [...spec.packages].sort() })).digest('hex').slice(0, 12);
  return `${spec.suite}-${spec.arch}-${hash}`;
}

export interface BaseImage {
  tarball: string;
  built: boolean;
  ms: number;
}

/** Returns the cached base tarball, building it first when missing (or when `rebuild`). */
export async function baseImage(spec: ImageSpec, opts: { rebuild?: boolean; log: (line: string) => void }): Promise<BaseImage> {
  const started = Date.now();
  const dir = join(cacheRoot(), imageKey(spec));
  const tarball = join(dir, 'rootfs.tar');
  if (existsSync(tarball) && !opts.rebuild) return { tarball, built: false, ms: Date.now() - started };
  mkdirSync(dir, { recursive: true });
  const partial = `${tarball}.partial`;
  rmSync(partial, { force: true });
  opts.log(`building the base image ${imageKey(spec)} with mmdebstrap (${spec.suite} ${spec.arch}; takes minutes under emulation)`);
  await run(
    'mmdebstrap',
    [
      '--mode=root',
      `--architectures=${spec.arch}`,
      '--variant=apt',
      `--include=${spec.packages.join(',')}`,
      '--format=tar',
      // Keep the image lean: no apt lists or caches (packages are installed with dpkg -i).
      '--aptopt=Acquire::Languages "none"',
      spec.suite,
      partial,
      spec.mirror,
    ],
    { timeoutMs: 45 * 60_000, env: { ...process.env, TMPDIR: dir } },
  );
  renameSync(partial, tarball);
  writeFileSync(join(dir, 'image.json'), `${JSON.stringify({ ...spec, recipe: RECIPE, builtAt: new Date().toISOString() }, null, 2)}\n`);
  // Older images of the same suite and architecture are dead weight now.
  for (const other of readdirSync(cacheRoot())) {
    if (other !== imageKey(spec) && other.startsWith(`${spec.suite}-${spec.arch}-`)) rmSync(join(cacheRoot(), other), { recursive: true, force: true });
  }
  return { tarball, built: true, ms: Date.now() - started };
}
