// What the host needs for the QEMU test (test-e2e/qemu/README.md "Host requirements"): root, Debian's
// mmdebstrap, qemu-user-static + binfmt-support (to run arm64 maintainer scripts in the chroot),
// qemu-system-arm (the VM), e2fsprogs (mke2fs -d), dpkg-dev (the packages).
import { existsSync, readFileSync } from 'node:fs';
import { have, run } from './proc';

export const HOST_PACKAGES = ['mmdebstrap', 'qemu-user-static', 'binfmt-support', 'qemu-system-arm', 'e2fsprogs', 'dpkg-dev', 'arch-test'] as const;

const TOOLS: Record<string, string> = {
  mmdebstrap: 'mmdebstrap',
  'qemu-system-aarch64': 'qemu-system-arm',
  'update-binfmts': 'binfmt-support',
  mke2fs: 'e2fsprogs',
  'dpkg-deb': 'dpkg-dev',
  chroot: 'coreutils',
};

const BINFMT = '/proc/sys/fs/binfmt_misc';

/** Throws with the apt-get line to run when something is missing. */
export function checkHost(): void {
  if (process.getuid?.() !== 0) throw new Error('the QEMU test runs as root (mmdebstrap root mode, chroot, mke2fs -d ownership)');
  const missing = Object.entries(TOOLS).filter(([cmd]) => !have(cmd));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
    throw new Error(`missing ${missing.map(([c]) => c).join(', ')}: apt-get install -y --no-install-recommends ${pkgs}`);
  }
  if (!existsSync('/usr/libexec/qemu-binfmt/aarch64-binfmt-P') && !have('qemu-aarch64-static')) {
    throw new Error('missing qemu-aarch64-static: apt-get install -y qemu-user-static');
  }
}

/** Makes the kernel run arm64 binaries through qemu-user (needed by mmdebstrap and dpkg in the chroot). */
export async function enableBinfmt(): Promise<void> {
  if (!existsSync(`${BINFMT}/status`)) {
    await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT]);
  }
  if (!existsSync(`${BINFMT}/qemu-aarch64`)) {
    await run('update-binfmts', ['--enable', 'qemu-aarch64']);
  }
  const entry = readFileSync(`${BINFMT}/qemu-aarch64`, 'utf8');
  if (!entry.startsWith('enabled')) throw new Error(`binfmt qemu-aarch64 is not enabled:\n${entry}`);
  // F (fix binary): the interpreter is opened at registration, so it also works inside the chroot.
  if (!/^flags:.*F/m.test(entry)) throw new Error('binfmt qemu-aarch64 lacks the F flag: reinstall qemu-user-static');
}
