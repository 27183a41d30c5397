#!/usr/bin/env node
// The one test command (README): lint, typecheck, build the bundles, then every unit (*.spec.ts) and
// integration (*.int.spec.ts) test with node's test runner. Ends with the runner's `ℹ pass N` / `ℹ fail N`.
// With LEDGE_E2E=1 (set by .ci/run) the QEMU end-to-end test (test-e2e/qemu, issue 6) runs afterwards, on
// its own (it keeps both cores busy), and a final `N passed, N failed` line sums both runs.
// Usage: node tools/test.mjs [--unit] [--no-lint] [path-substring ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTreeSpecs, isIntSpec } from './specs.mjs';

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

if (!skipLint) {
  step('lint (eslint + module boundaries)', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=static']);
  // Workspace scripts outside any Nx project: the build, test and packaging tools, benches, e2e.
  step('lint (workspace scripts)', 'npx', ['eslint', '--max-warnings=0', 'tools', 'bench', 'packaging', 'test-e2e']);
  step('typecheck (tsc --strict)', 'npx', ['tsc', '-p', 'tsconfig.base.json', '--noEmit']);
}
step('build (esbuild bundles)', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);

let specs = findTreeSpecs(root);
if (unitOnly) specs = specs.filter((s) => !isIntSpec(s));
if (filters.length > 0) specs = specs.filter((s) => filters.some((f) => s.includes(f)));
const e2e = process.env['LEDGE_E2E'] === '1' && !unitOnly && filters.length === 0;
const tapDir = mkdtempSync(join(tmpdir(), 'ledge-test-tap-'));

/** Runs node's test runner (spec output here, TAP to a file for the counts); returns {status, pass, fail}. */
function runTests(name, files, extra) {
  console.log(`\n▶ ${name}: ${files.length} files`);
  const tap = join(tapDir, `${name.replace(/\W+/g, '-')}.tap`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...extra, ...files],
    { cwd: root, stdio: 'inherit', env },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    // no TAP written: the runner itself failed; counted below as one failure
  }
  const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { status: r.status ?? 1, pass: count('pass'), fail: count('fail') + (text === '' ? 1 : 0) };
}

const runs = [runTests('tests', specs, ['--test-concurrency=3', '--test-timeout=300000'])];
if (e2e) runs.push(runTests('QEMU end-to-end', ['test-e2e/qemu/qemu.e2e.ts'], []));
rmSync(tapDir, { recursive: true, force: true });
const pass = runs.reduce((n, r) => n + r.pass, 0);
const fail = runs.reduce((n, r) => n + r.fail, 0);
if (runs.length > 1) console.log(`\n${pass} passed, ${fail} failed`);
process.exit(runs.every((r) => r.status === 0) ? 0 : 1);
