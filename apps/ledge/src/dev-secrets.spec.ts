// `ledge run --dev`'s copy of the accounts it made: what `ledge um --dev-dir` reads (issue 18).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTempDir } from '@ledge/shared/util/testing';
import { writeDevSecrets } from './dev-secrets';

const mode = (p: string) => statSync(p).mode & 0o777;

describe("ledge run --dev's copy of the local broker accounts", () => {
  it('writes <dev dir>/secrets/<app>.password (the password on one line, 0600; the directory 0700)', async (t) => {
    const devDir = join(createTempDir(t), 'fresh', '.ledge-dev');
    const written = await writeDevSecrets(devDir, { 'update-manager': { username: 'ledge-update-manager', password: 'um-secret' }, connector: { username: 'ledge-connector', password: 'c-secret' } });
    const dir = join(devDir, 'secrets');
    assert.deepEqual(written, [join(dir, 'update-manager.password'), join(dir, 'connector.password')]);
    assert.equal(readFileSync(join(dir, 'update-manager.password'), 'utf8'), 'um-secret\n');
    assert.deepEqual([mode(dir), mode(written[0]!), mode(written[1]!)], [0o700, 0o600, 0o600]);
    assert.deepEqual(readdirSync(dir).sort(), ['connector.password', 'update-manager.password'], 'no temporary file left');
  });

  it("replaces a previous run's passwords and removes those of accounts this run did not make; tightens an older directory", async (t) => {
    const devDir = createTempDir(t);
    const dir = join(devDir, 'secrets');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'update-manager.password'), 'old\n', { mode: 0o644 });
    writeFileSync(join(dir, 'connector.password'), 'old\n');
    writeFileSync(join(dir, 'file-upload.password.tmp'), 'half\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await writeDevSecrets(devDir, { 'update-manager': { username: 'ledge-update-manager', password: 'new' } });
    assert.equal(readFileSync(join(dir, 'update-manager.password'), 'utf8'), 'new\n');
    assert.deepEqual([mode(dir), mode(join(dir, 'update-manager.password'))], [0o700, 0o600]);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'update-manager.password']);
    await writeDevSecrets(devDir, {}); // an open bus (ledgeAcl off, anonymous allowed): no accounts at all
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });
});
