// Where a project's tests are: every `*.spec.ts` under a directory, `*.int.spec.ts` being the integration
// tests (they drive real systems and the built bundles). Shared by the Nx test-target plugin
// (tools/nx-test-targets.mjs) and the per-project runner (tools/test-project.mjs); tools/test.mjs keeps
// its own walk over the whole tree.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
