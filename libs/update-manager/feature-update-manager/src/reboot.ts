// The reboot after a completed activity whose domain needs one (Kanto update-manager
// updatem/orchestration/reboot_linux.go writes the magic SysRq trigger: an immediate reset without
// unmounting). Ledge asks systemd instead (`systemctl reboot`): services stop in order, file systems are
// synced and unmounted. The ledge-update-manager unit runs as root with CAP_SYS_BOOT alone for it (see
// its comments).
import { execFile } from 'node:child_process';
import { rebootFailedError } from './errors';

export type Reboot = () => Promise<void>;

export type RunCommand = (file: string, args: readonly string[]) => Promise<void>;

const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 30_000 }, (err, _stdout, stderr) => (err ? reject(Object.assign(err, { stderr: String(stderr).trim() })) : resolve()));
  });

export function systemdReboot(run: RunCommand = runCommand): Reboot {
  return async () => {
    try {
      await run('systemctl', ['reboot']);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      throw rebootFailedError(e.code === 'ENOENT' ? 'systemctl not found' : e.stderr || e.message, err);
    }
  };
}
