// The per-project `test` targets (tools/nx-test-targets.mjs, registered in nx.json) cover every project
// that holds a spec, and tools/test-project.mjs behaves as the target promises. One Nx call (the project
// graph, with every project's targets) keeps this fast.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Target {
  command?: string;
  cache?: boolean;
  dependsOn?: unknown[];
  options?: { command?: string };
  configurations?: Record<string, { command?: string }>;
}
interface Node {
  data: { root: string; targets?: Record<string, Target> };
}

// Without NODE_TEST_CONTEXT: set by the runner running this file, it would turn the nested runner into a
// reporter to this one (exit 0, no summary).
const { NODE_TEST_CONTEXT: _ctx, ...inherited } = process.env;
const env = { ...inherited, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' };

function projectGraph(): Record<string, Node> {
  const dir = mkdtempSync(join(tmpdir(), 'ledge-graph-'));
  try {
    const r = spawnSync('npx', ['nx', 'graph', `--file=${join(dir, 'graph.json')}`], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return (JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as { graph: { nodes: Record<string, Node> } }).graph.nodes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file under `dir`, workspace-relative, recursively (node_modules and dist aside). */
const filesUnder = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !/(^|\/)(node_modules|dist)\//.test(f)).map((f) => join(dir, f));

it('every project that holds a *.spec.ts has the test target, with the unit configuration; integration specs build the apps first; nothing is cached', () => {
  const nodes = Object.entries(projectGraph());
  assert.ok(nodes.length > 10, 'the project graph lists the projects');
  for (const [name, { data }] of nodes) {
    const specs = filesUnder(data.root).filter((f) => f.endsWith('.spec.ts'));
    const test = data.targets?.['test'];
    if (specs.length === 0) {
      assert.equal(test, undefined, `${name} has no specs and no test target`);
      continue;
    }
    assert.ok(test, `${name} (${data.root}) holds ${specs.length} spec files but has no test target`);
    assert.equal(test.options?.command, `node tools/test-project.mjs ${data.root}`, name);
    assert.equal(test.configurations?.['unit']?.command, `node tools/test-project.mjs ${data.root} --unit`, name);
    assert.equal(test.cache, false, `${name}: tests read real systems, never cached`);
    const buildsApps = JSON.stringify(test.dependsOn ?? []) === JSON.stringify([{ target: 'build', projects: 'tag:type:app' }]);
    assert.equal(buildsApps, specs.some((f) => f.endsWith('.int.spec.ts')), `${name}: builds the app bundles first exactly when it has *.int.spec.ts`);
  }
});

it('tools/test-project.mjs: "no specs" passes, a failing spec fails with the runner\'s counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledge-test-project-'));
  try {
    writeFileSync(join(dir, 'project.json'), '{}');
    writeFileSync(join(dir, 'x.int.spec.ts'), "import { it } from 'node:test';\nit('int', () => {});\n");
    const none = spawnSync(process.execPath, ['tools/test-project.mjs', dir, '--unit'], { encoding: 'utf8', env });
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /no unit specs in /);

    writeFileSync(join(dir, 'y.spec.ts'), "import { it } from 'node:test';\nimport assert from 'node:assert/strict';\nit('ok', () => {});\nit('bad', () => assert.equal(1, 2));\n");
    const r = spawnSync(process.execPath, ['tools/test-project.mjs', dir, '--unit'], { encoding: 'utf8', env });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /1 unit spec files/);
    assert.match(r.stdout, /ℹ pass 1\nℹ fail 1\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
