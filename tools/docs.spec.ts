// Docs must match their sources: every error code is listed in docs/errors.md, every library in
// docs/architecture.md's table.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

it('docs/errors.md lists every error code of every lib (node tools/errors-doc.mjs)', () => {
  const r = spawnSync(process.execPath, ['tools/errors-doc.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

it('docs/architecture.md has a row for every library (tsconfig.base.json paths) and none for a library that is gone', () => {
  const paths = (JSON.parse(readFileSync('tsconfig.base.json', 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
  const libs = Object.keys(paths).filter((a) => !a.endsWith('/testing')).sort();
  const doc = readFileSync('docs/architecture.md', 'utf8');
  const table = doc.slice(doc.indexOf('| library |'), doc.indexOf('## Persistence'));
  const named = [...new Set([...table.matchAll(/`(@ledge\/[a-z0-9-]+\/[a-z0-9-]+)`/g)].map((m) => m[1]!))].sort();
  assert.deepEqual(libs.filter((a) => !named.includes(a)), [], 'libraries without a row');
  assert.deepEqual(named.filter((a) => !libs.includes(a)), [], 'rows for libraries that do not exist');
});

it("every library's import alias is its folder (`@ledge/<scope>/<kind>-<name>`), so an import says what kind of library it reaches", () => {
  const paths = (JSON.parse(readFileSync('tsconfig.base.json', 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
  const wrong = Object.entries(paths)
    .map(([alias, [target]]) => ({ alias, expected: `@ledge/${target!.replace(/^libs\//, '').replace(/\/src\/index\.ts$/, '').replace(/\/src\/testing\/index\.ts$/, '/testing')}` }))
    .filter(({ alias, expected }) => alias !== expected || !/^@ledge\/[a-z-]+\/(model|util|data-access|feature)(-[a-z0-9-]+)?(\/testing)?$/.test(alias));
  assert.deepEqual(wrong, []);
});
