// Error tables (issue 22 item 5): every entry of every lib's `defineErrors` table is emitted somewhere, and
// tools/errors-doc.mjs refuses what it cannot document (a code twice, an entry without its doc comment, a
// code listed the old way).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error a plain .mjs tool without types
import { errorFiles, parseErrorTable } from './errors-doc.mjs';

interface Row {
  key: string;
  code: string;
  kind: string;
  message: string;
  meaning: string;
}
interface Table {
  table: string;
  alias: string | null;
  rows: Row[];
}
const parse = parseErrorTable as (text: string, file?: string) => Table | null;

const root = join(import.meta.dirname, '..');
const SOURCE_DIRS = ['apps', 'libs', 'tools', 'bench', 'test-e2e', 'packaging'];

/** Every TypeScript/JavaScript source (specs included) of the repo, relative path → text. */
function sources(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'build' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|cjs|js)$/.test(e.name)) out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  for (const d of SOURCE_DIRS) {
    try {
      walk(join(root, d));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('error tables', () => {
  it('every defineErrors entry is used outside its definition (its code, XxxErrorCodes.KEY, or Xxx.create(KEY) in a function someone calls)', () => {
    const all = sources();
    const unused: string[] = [];
    let entries = 0;
    for (const abs of errorFiles(root) as string[]) {
      const file = relative(root, abs);
      const text = all.get(file)!;
      const parsed = parse(text, file);
      if (parsed === null) continue;
      const start = text.search(new RegExp(`^(?:export\\s+)?const\\s+${parsed.table}\\s*=\\s*defineErrors\\(`, 'm'));
      const end = text.indexOf('\n});', start);
      // The errors.ts itself without its table: a use there (a gRPC status map, a helper) counts too.
      const own = text.slice(0, start) + text.slice(end);
      const others = [...all].filter(([f]) => f !== file).map(([, t]) => t);
      for (const { key, code } of parsed.rows) {
        entries++;
        const byName = new RegExp(`\\b(?:${parsed.alias ?? '(?!)'}\\.${key}|${parsed.table}\\.codes\\.${key})\\b|['"\`]${code}['"\`]`);
        if (byName.test(own) || others.some((t) => byName.test(t))) continue;
        // Xxx.create('KEY', …) inside function F of errors.ts: used when F is called anywhere else.
        const creates = [...own.matchAll(new RegExp(`${parsed.table}\\.create\\(\\s*['"]${key}['"]`, 'g'))];
        const callers = creates.map((m) => [...own.slice(0, m.index).matchAll(/\bfunction\s+(\w+)/g)].at(-1)?.[1]).filter((f) => f !== undefined);
        const called = callers.some((f) => {
          const call = new RegExp(`\\b${escape(f)}\\b`);
          return (own.match(new RegExp(call, 'g'))?.length ?? 0) > 1 || others.some((t) => call.test(t));
        });
        if (!called) unused.push(`${file}: ${key} (${code})`);
      }
    }
    assert.ok(entries > 100, `found ${entries} entries: the parse missed tables`);
    assert.deepEqual(unused, [], 'codes never emitted: remove them (docs/errors.md lists the retired ones) or use them');
  });

  it('errors-doc reads an entry: KEY, code, kind, message (either quote) and its doc comment', () => {
    const text = [
      "import { defineErrors } from '@ledge/shared/util';",
      'const TErrors = defineErrors({',
      '  /** Bad. */',
      "  BAD: { code: 'LEDGE_T_BAD', kind: 'InvalidArgument', message: 'bad {what}' },",
      '  /**',
      '   * Two | lines.',
      '   */',
      '  QUOTED: {',
      "    code: 'LEDGE_T_QUOTED',",
      "    kind: 'NotFound',",
      `    message: "no '{id}'",`,
      '  },',
      '});',
      'export const TErrorCodes = TErrors.codes;',
    ].join('\n');
    assert.deepEqual(parse(text), {
      table: 'TErrors',
      alias: 'TErrorCodes',
      rows: [
        { key: 'BAD', code: 'LEDGE_T_BAD', kind: 'InvalidArgument', message: 'bad {what}', meaning: 'Bad.' },
        { key: 'QUOTED', code: 'LEDGE_T_QUOTED', kind: 'NotFound', message: "no '{id}'", meaning: 'Two | lines.' },
      ],
    });
    assert.equal(parse('// no codes here\nexport const X = 1;\n'), null);
  });

  it('errors-doc fails loudly: a code twice, an entry without doc comment, a bad kind, the old shape, an entry it cannot read', () => {
    const table = (...entries: string[]) => `const TErrors = defineErrors({\n${entries.join('\n')}\n});\n`;
    const bad = "  /** A. */\n  A: { code: 'LEDGE_T_A', kind: 'Internal', message: 'a' },";
    assert.throws(() => parse(table(bad, bad.replace('A:', 'B:')), 't.ts'), /LEDGE_T_A defined twice in t\.ts/);
    assert.throws(() => parse(table("  A: { code: 'LEDGE_T_A', kind: 'Internal', message: 'a' },"), 't.ts'), /A \(LEDGE_T_A\) has no \/\*\* meaning \*\/ doc comment/);
    assert.throws(() => parse(table(bad.replace('Internal', 'Fatal')), 't.ts'), /unknown kind 'Fatal'/);
    assert.throws(() => parse("export const TErrorCodes = Object.freeze({\n  /** A. */\n  A: 'LEDGE_T_A',\n});\n", 't.ts'), /lists a code outside defineErrors/);
    assert.throws(() => parse(table("  /** A. */\n  A: { kind: 'Internal', code: 'LEDGE_T_A', message: 'a' },"), 't.ts'), /not in the shape.*LEDGE_T_A/);
    assert.throws(() => parse(table(bad) + table(bad.replace('LEDGE_T_A', 'LEDGE_T_B')), 't.ts'), /expected one defineErrors table, found 2/);
  });

  it('errors-doc fails loudly when two libs define the same code', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'errors-doc-'));
    try {
      const entry = "const TErrors = defineErrors({\n  /** A. */\n  A: { code: 'LEDGE_T_A', kind: 'Internal', message: 'a' },\n});\n";
      for (const lib of ['libs/a/util-a/src', 'libs/b/util-b/src']) {
        mkdirSync(join(dir, lib), { recursive: true });
        writeFileSync(join(dir, lib, 'errors.ts'), entry);
      }
      mkdirSync(join(dir, 'docs'));
      mkdirSync(join(dir, 'apps'));
      writeFileSync(join(dir, 'docs/errors.md'), '# Error codes\n');
      // @ts-expect-error a plain .mjs tool without types
      const { generate } = (await import('./errors-doc.mjs')) as { generate: (base: string) => string };
      assert.throws(() => generate(dir), /error code LEDGE_T_A defined twice: libs\/a\/util-a\/src\/errors\.ts and libs\/b\/util-b\/src\/errors\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
