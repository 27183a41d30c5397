import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { syncDirectory, syncFile, writeFileDurably } from './durable-file';
import { createTempDir } from './testing';

describe('durable files', () => {
  it('writeFileDurably replaces a file atomically with the mode asked for and leaves no temp file', async (t) => {
    const dir = createTempDir(t, 'ledge-durable-');
    const p = join(dir, 'state.json');
    writeFileSync(p, 'old');
    await writeFileDurably(p, '{"new":true}', { mode: 0o640 });
    assert.equal(readFileSync(p, 'utf8'), '{"new":true}');
    assert.equal(statSync(p).mode & 0o777, 0o640);
    assert.equal(existsSync(`${p}.tmp`), false);
    await writeFileDurably(p, Buffer.from('x'));
    assert.equal(statSync(p).mode & 0o777, 0o600, 'default 0600');
    await syncFile(p);
    await syncDirectory(dir);
  });
});
