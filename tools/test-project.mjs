#!/usr/bin/env node
// One Nx project's tests (the `test` target, tools/nx-test-targets.mjs): its *.spec.ts with node's test
// runner and the flags of tools/test.mjs; ends with the runner's `ℹ pass N` / `ℹ fail N`, exits non-zero
// on a failure. Builds nothing: integration specs need the bundles, which the target's dependsOn builds
// (`npx nx run-many -t build` when running this script by hand).
// Usage: node tools/test-project.mjs <projectRoot> [--unit]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findProjectSpecs, isIntSpec } from './specs.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const projectRoot = args.find((a) => !a.startsWith('--'));
if (projectRoot === undefined || !existsSync(join(resolve(root, projectRoot), 'project.json'))) {
  console.error('usage: node tools/test-project.mjs <projectRoot (holding a project.json)> [--unit]');
  process.exit(2);
}

let specs = findProjectSpecs(resolve(root, projectRoot)).map((p) => relative(root, p));
if (unitOnly) specs = specs.filter((s) => !isIntSpec(s));
if (specs.length === 0) {
  console.log(`no ${unitOnly ? 'unit ' : ''}specs in ${projectRoot}: nothing to run`);
  process.exit(0);
}
console.log(`▶ ${projectRoot}: ${specs.length} ${unitOnly ? 'unit ' : ''}spec files`);
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' };
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=3', '--test-timeout=300000', ...specs],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
