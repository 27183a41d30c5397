#!/usr/bin/env node
// The one test command (README): lint, typecheck, build the bundles, then every unit (*.spec.ts) and
// integration (*.int.spec.ts) test with node's test runner. Ends with the runner's `ℹ pass N` / `ℹ fail N`.
// Usage: node tools/test.mjs [--unit] [--no-lint] [path-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const skipLint = args.includes('--no-lint');
const filters = args.filter((a) => !a.startsWith('--'));
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.CI ? 'true' : '' };

function step(name, cmd, cmdArgs) {
  const t0 = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  console.log(`◀ ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findSpecs(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findSpecs(p, out);
    else if (name.endsWith('.spec.ts')) out.push(relative(root, p));
  }
  return out;
}

if (!skipLint) {
  step('lint (eslint + module boundaries)', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=static']);
  step('typecheck (tsc --strict)', 'npx', ['tsc', '-p', 'tsconfig.base.json', '--noEmit']);
}
step('build (esbuild bundles)', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);

let specs = ['apps', 'libs', 'tools', 'bench', 'packaging'].flatMap((d) => {
  try {
    return findSpecs(join(root, d));
  } catch {
    return []; // folder absent
  }
});
if (unitOnly) specs = specs.filter((s) => !s.endsWith('.int.spec.ts'));
if (filters.length > 0) specs = specs.filter((s) => filters.some((f) => s.includes(f)));
console.log(`\n▶ tests: ${specs.length} files`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=3', '--test-timeout=300000', ...specs],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
