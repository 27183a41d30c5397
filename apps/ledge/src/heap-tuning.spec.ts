import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { ALL_IN_ONE_V8_FLAGS, tuneHeapForAllInOne } from './heap-tuning';

it('tuneHeapForAllInOne hands V8 the all-in-one flags', () => {
  const seen: string[] = [];
  tuneHeapForAllInOne((f) => seen.push(f));
  assert.deepEqual(seen, ['--heap-growing-percent=50']);
});

it('this Node accepts the flags at run time: a process that sets them keeps running and allocating', () => {
  const script = `const v8 = require('node:v8'); for (const f of ${JSON.stringify(ALL_IN_ONE_V8_FLAGS)}) v8.setFlagsFromString(f); let a = []; for (let i = 0; i < 2e5; i++) { a.push({ i }); if (a.length > 1e4) a = []; } console.log('ok');`;
  const r = spawnSync(process.execPath, ['--max-semi-space-size=1', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
  assert.equal(r.stderr, '');
});
