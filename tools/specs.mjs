// Where a project's tests are: every `*.spec.ts` under a directory, `*.int.spec.ts` being the integration
// tests (they drive real systems and the built bundles). Shared by the Nx test-target plugin
// (tools/nx-test-targets.mjs) and the per-project runner (tools/test-project.mjs); the whole-tree walk of
// tools/test.mjs and tools/unit-stress.mjs is `findTreeSpecs`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Spec files under `dir` (paths joined onto `dir`), sorted; skips node_modules, dist, dot folders and
 * folders that are Nx projects of their own (they hold a project.json). */
export function findProjectSpecs(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!existsSync(join(p, 'project.json'))) walk(p);
      } else if (e.name.endsWith('.spec.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export const isIntSpec = (file) => file.endsWith('.int.spec.ts');

/** The folders whose specs `npm test` runs (test-e2e/ is the QEMU suite's, run on its own). */
export const TREE_SPEC_DIRS = Object.freeze(['apps', 'libs', 'tools', 'bench', 'packaging']);

/** Every spec file under TREE_SPEC_DIRS of `root`, relative to it (nested projects included); skips
 * node_modules, dist and dot folders; a missing folder has none. */
export function findTreeSpecs(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.spec.ts')) out.push(relative(root, p));
    }
  };
  for (const d of TREE_SPEC_DIRS) if (existsSync(join(root, d))) walk(join(root, d));
  return out;
}
