// Nx plugin (registered in nx.json "plugins"): gives every project under apps/ and libs/ that holds a
// `*.spec.ts` a `test` target, so `nx run <project>:test` and `nx affected -t test` run just the specs of
// the projects a change touches (`npm test`, tools/test.mjs, still runs everything in one runner).
//
//   nx run <project>:test              all of the project's specs (unit + *.int.spec.ts)
//   nx run <project>:test:unit         only the unit specs (*.spec.ts that are not *.int.spec.ts)
//
// Integration specs run the shipped bundles (dist/apps/<app>/main.js, `bundlePath()` in
// @ledge/shared/util/testing), and which bundle a spec needs is not visible in the project graph (libs never
// depend on apps). So a project with integration specs has its `test` depend on `build` of every app
// (tag `type:app`); builds are cached, so when nothing changed this costs a cache check. Nx cannot vary
// dependsOn by configuration: `test:unit` of such a project pulls the builds too; pass
// `--exclude-task-dependencies` to skip them. Projects with unit specs only depend on nothing.
// Tests are never cached (integration specs read real systems; the unit configuration shares the target).
// A project with integration specs runs its tests alone (`parallelism: false`), as the specs were written
// for tools/test.mjs's three files at a time, not three times the number of Nx workers.
import { dirname, join } from 'node:path';
import { findProjectSpecs, isIntSpec } from './specs.mjs';

export const name = 'ledge-test-targets';

/** The test target for one project root (workspace-relative), or undefined when it has no specs. */
export function testTarget(workspaceRoot, projectRoot) {
  const specs = findProjectSpecs(join(workspaceRoot, projectRoot));
  if (specs.length === 0) return undefined;
  const hasInt = specs.some(isIntSpec);
  return {
    executor: 'nx:run-commands',
    options: { command: `node tools/test-project.mjs ${projectRoot}` },
    configurations: { unit: { command: `node tools/test-project.mjs ${projectRoot} --unit` } },
    cache: false,
    ...(hasInt ? { dependsOn: [{ target: 'build', projects: 'tag:type:app' }], parallelism: false } : {}),
    metadata: { description: `node's test runner on ${projectRoot}'s specs (configuration "unit": no *.int.spec.ts)` },
  };
}

export const createNodes = [
  '{apps,libs}/**/project.json',
  async (configFiles, _options, context) =>
    configFiles.map((file) => {
      const root = dirname(file);
      const test = testTarget(context.workspaceRoot, root);
      return [file, test ? { projects: { [root]: { targets: { test } } } } : {}];
    }),
];
