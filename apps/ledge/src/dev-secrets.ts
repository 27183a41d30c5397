// `ledge run --dev` keeps a copy of the local broker accounts it made (issue 18, docs/security.md): a CLI
// on the same machine logs in with them as the packages' CLIs do with /etc/ledge/secrets on a gateway
// (`ledge um` as ledge-update-manager, the one account the broker's ACL lets give the update contract's
// orders). Only in dev mode: a production `ledge run` has the packaged secrets, and its passwords stay in
// memory. The files hold what /etc/ledge/secrets/<app>.password holds: the password on one line.
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { devSecretsDir, localPasswordFileOf, writeFileDurably } from '@ledge/shared/util';

/** Accounts made this run, by app (local-bus-plan.ts). */
export type DevAccounts = Readonly<Record<string, { readonly username: string; readonly password: string }>>;

const PASSWORD_FILE = /^(.+)\.password(\.tmp)?$/;

/**
 * `<dev dir>/secrets/<app>.password` (0600; the directory 0700, made if missing) for every account made
 * this run, each replaced atomically and durably; the files of accounts it did not make go (a previous
 * run's password is wrong now, and a stale one would make a CLI log in with it). The files written.
 */
export async function writeDevSecrets(devDir: string, accounts: DevAccounts): Promise<string[]> {
  const dir = devSecretsDir(devDir);
  await mkdir(devDir, { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700); // an older directory made with the umask's mode
  for (const name of await readdir(dir)) {
    const m = PASSWORD_FILE.exec(name);
    if (m && (m[2] !== undefined || accounts[m[1]!] === undefined)) await rm(`${dir}/${name}`, { force: true });
  }
  const written: string[] = [];
  for (const [app, account] of Object.entries(accounts)) {
    const file = localPasswordFileOf(app, dir);
    await writeFileDurably(file, `${account.password}\n`, { mode: 0o600 });
    written.push(file);
  }
  return written;
}
