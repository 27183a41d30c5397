// `systemd-analyze verify` for unit files outside a running system: the units and stand-ins for the
// programs they start go into a scratch root next to a copy of the host's own units (verify needs
// sysinit.target and friends). verify exits 0 on "ignoring" parse warnings, so any output is a failure.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const HOST_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'sysinit.target')));

/** Why verify cannot run here, or undefined when it can. */
export function systemdVerifyUnavailable(): string | undefined {
  if (spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status !== 0) return 'systemd-analyze not installed (apt-get install -y systemd)';
  if (!HOST_UNITS) return 'no host systemd units to verify against (apt-get install -y systemd)';
  return undefined;
}

/**
 * @param units unit files (installed under their basename, or under `names[i]`)
 * @param programs absolute paths of programs the units start (created as executable stand-ins)
 * @returns systemd-analyze's output (empty when the units are fine) and its exit code
 */
export function verifyUnits(units: readonly string[], programs: readonly string[], names?: readonly string[]): { code: number; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'ledge-verify-'));
  try {
    const unitDir = join(root, 'usr/lib/systemd/system');
    mkdirSync(unitDir, { recursive: true });
    cpSync(HOST_UNITS!, unitDir, { recursive: true, dereference: false, verbatimSymlinks: true });
    const installed = units.map((u, i) => {
      const name = names?.[i] ?? basename(u);
      rmSync(join(unitDir, name), { force: true });
      copyFileSync(u, join(unitDir, name));
      return `usr/lib/systemd/system/${name}`;
    });
    for (const p of programs) {
      const f = join(root, p);
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, '#!/bin/sh\nexit 0\n');
      chmodSync(f, 0o755);
    }
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...installed], { cwd: root, encoding: 'utf8' });
    return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
