// The committed message types (src/generated/types/) are what proto-loader-gen-types makes of the
// committed descriptor with the client's loader options; CI fails on a stale file (issue 22 item 4).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain ESM tool without types
import { generateInto, generatorFlags, staleFiles } from '../tools/gen-types.mjs';

const script = fileURLToPath(new URL('../tools/gen-types.mjs', import.meta.url));

test('src/generated/types is up to date (node --import tsx tools/gen-types.mjs --check)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the generator gets the loader options the client decodes with', () => {
  assert.deepEqual((generatorFlags as () => string[])(), ['--keepCase', '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--grpcLib=@grpc/grpc-js']);
  assert.throws(() => (generatorFlags as (o: object) => string[])({ includeDirs: ['/x'] }), /includeDirs has no proto-loader-gen-types flag/);
});

test('the check names a changed file', (t) => {
  const fresh = mkdtempSync(join(tmpdir(), 'ledge-gen-types-spec-'));
  t.after(() => rmSync(fresh, { recursive: true, force: true }));
  (generateInto as (dir: string) => void)(fresh);
  assert.deepEqual((staleFiles as (dir: string) => string[])(fresh), []);
  appendFileSync(join(fresh, 'containerd', 'v1', 'types', 'Process.ts'), '// edited\n');
  assert.deepEqual((staleFiles as (dir: string) => string[])(fresh), ['containerd/v1/types/Process.ts']);
});
