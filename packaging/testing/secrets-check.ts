// What the contract (issue 23) asks of /etc/ledge/secrets in a target root, checked the same way for the
// Debian postinst (deb.int.spec.ts) and the Yocto layer's ledge-secrets script (ledge-secrets.int.spec.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BROKER_PASSWD, SECRETS_DIR, type LocalBusAccount } from '../lib/secrets.mjs';

/** name → numeric ID from a passwd or group file of a target root. */
export function ids(file: string): Map<string, number> {
  return new Map(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => { const f = l.split(':'); return [f[0]!, Number(f[2])] as const; }));
}

/** "mode uid:gid" of a path, e.g. "400 0:998". */
export function modeOwner(path: string): string {
  const st = statSync(path);
  return `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
}

/**
 * What the contract (issue 23) asks of /etc/ledge/secrets under `target`: the folder 0750 root:ledge;
 * per account a one-line password of >= 32 [A-Za-z0-9], 0400, owned by the app's user; broker.passwd
 * 0640 root:ledge with exactly one sha256 line per account. Returns the passwords by app.
 */
export function assertSecrets(target: string, accounts: readonly LocalBusAccount[]): Map<string, string> {
  const users = ids(join(target, 'etc/passwd'));
  const groups = ids(join(target, 'etc/group'));
  const ledgeGid = groups.get('ledge');
  assert.ok(ledgeGid !== undefined && ledgeGid > 0, 'group ledge in the target');
  assert.equal(modeOwner(join(target, SECRETS_DIR)), `750 0:${ledgeGid}`, SECRETS_DIR);
  const passwords = new Map<string, string>();
  for (const a of accounts) {
    const file = join(target, a.passwordFile);
    const [uid, gid] = a.user === 'root' ? [0, 0] : [users.get(a.user), groups.get(a.user)];
    assert.equal(modeOwner(file), `400 ${uid}:${gid}`, `${a.passwordFile}: 0400 ${a.user}`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^[A-Za-z0-9]{32,}\n$/, `${a.passwordFile}: one line of >= 32 [A-Za-z0-9]`);
    passwords.set(a.app, text.trim());
  }
  assert.equal(new Set(passwords.values()).size, accounts.length, 'every app has its own password');
  assert.equal(modeOwner(join(target, BROKER_PASSWD)), `640 0:${ledgeGid}`, BROKER_PASSWD);
  const want = accounts.map((a) => `${a.account}:sha256:${createHash('sha256').update(passwords.get(a.app)!).digest('hex')}`);
  assert.deepEqual(readFileSync(join(target, BROKER_PASSWD), 'utf8').split('\n').filter(Boolean), want, 'broker.passwd: exactly the accounts, SHA-256 of each password');
  assert.deepEqual(readdirSync(join(target, SECRETS_DIR)).filter((f) => f.endsWith('.new')), [], 'no temporary files left');
  return passwords;
}

