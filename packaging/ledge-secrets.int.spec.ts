// The Yocto layer's ledge-secrets script (issue 23): the same local broker accounts as the Debian postinst
// (packaging/lib/secrets.mjs writes both), made in a target root under dash and busybox sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { localBusAccounts, secretsScript } from './lib/secrets.mjs';
import { assertSecrets, modeOwner } from './testing/secrets-check';

const root = join(import.meta.dirname, '..');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function sh(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
}

describe('Yocto ledge-secrets', () => {
  it("the Yocto layer's ledge-secrets script does the same under dash and busybox sh", { skip: process.getuid?.() !== 0 && 'needs root (chown)' }, () => {
    const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
    const shells = ['dash', 'busybox'].filter(have);
    assert.ok(shells.includes('dash'));
    for (const shell of shells) {
      const target = mkdtempSync(join(tmpdir(), 'ledge-yocto-root-'));
      try {
        mkdirSync(join(target, 'etc'));
        writeFileSync(join(target, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nledge:x:987:986::/var/lib/ledge:/sbin/nologin\n');
        writeFileSync(join(target, 'etc/group'), 'root:x:0:\nledge:x:986:\n');
        const script = join(target, 'ledge-secrets');
        writeFileSync(script, secretsScript(accounts));
        const run = () => sh(shell, [...(shell === 'busybox' ? ['sh'] : []), script, target]);
        run();
        const first = assertSecrets(target, accounts);
        assert.equal(modeOwner(join(target, accounts.find((a) => a.user === 'ledge')!.passwordFile)), '400 987:986', `${shell}: the target's ledge, not this machine's`);
        run();
        assert.deepEqual(assertSecrets(target, accounts), first, `${shell}: idempotent`);
      } finally {
        rmSync(target, { recursive: true, force: true });
      }
    }
  });
});
