// Generated docs must match their sources: every error code is listed in docs/errors.md.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

it('docs/errors.md lists every error code of every lib (node tools/errors-doc.mjs)', () => {
  const r = spawnSync(process.execPath, ['tools/errors-doc.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
