// Issue 22: with CI=true a missing tool fails the suite instead of skipping it. Every `skip` of a spec goes
// through skipUnlessTools (libs/shared/util/src/testing/tools.ts), which returns false under CI=true and
// registers a failing test naming the tool; the only other skips allowed are platform and root checks
// (.ci/run runs as root on Linux, so those run in CI too). This scans every *.spec.ts for `skip:` values
// (and `{ skip }` shorthands), follows identifiers to their `const` (in the file or a relative import) and
// fails on any other value, such as an ad-hoc `process.env['CI'] === 'true' ? false : 'needs mosquitto'`.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..');

/** The expression that starts at `from`, up to the first `,` `;` `)` `}` or `]` outside brackets and strings. */
function expressionAt(src: string, from: number, stops = ',;)}]'): string {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if ('([{'.includes(c)) depth++;
    else if (depth === 0 && stops.includes(c)) return src.slice(from, i).trim();
    else if (')]}'.includes(c)) depth--;
  }
  return src.slice(from).trim();
}

/** Splits at top-level `||`. */
function alternatives(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < expr.length && expr[i] !== c; i++) if (expr[i] === '\\') i++;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === '|' && expr[i + 1] === '|') {
      out.push(expr.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  out.push(expr.slice(start).trim());
  return out;
}

const unwrap = (e: string): string => (/^\(.*\)$/s.test(e) && expressionAt(e, 1) === e.slice(1, -1).trim() ? unwrap(e.slice(1, -1).trim()) : e);

/** Finds the initializer of `const name` in `file`, or in the relative module it is imported from. */
function resolveConst(file: string, name: string, seen = new Set<string>()): { file: string; init: string } | undefined {
  if (seen.has(`${file}#${name}`) || !existsSync(file)) return undefined;
  seen.add(`${file}#${name}`);
  const src = readFileSync(file, 'utf8');
  const m = new RegExp(`(?:export\\s+)?const\\s+${name}\\s*(?::[^=]+)?=\\s*`).exec(src);
  if (m) return { file, init: expressionAt(src, m.index + m[0].length, ';') };
  const imp = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'(\\.[^']+)'`).exec(src);
  if (!imp) return undefined;
  const base = join(dirname(file), imp[1]!);
  const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
  return target ? resolveConst(target, name, seen) : undefined;
}

/** Why `expr` (a skip value in `file`) bypasses the helper, or undefined when it is allowed. */
export function bypass(expr: string, file: string, depth = 0): string | undefined {
  for (const raw of alternatives(unwrap(expr))) {
    const leaf = unwrap(raw);
    if (leaf === 'false' || leaf === 'undefined') continue;
    if (/^skipUnlessTools\(/.test(leaf) && expressionAt(leaf, 0) === leaf) continue;
    // A platform or root check, and nothing else (`process.getuid?.() !== 0 && 'needs root'`).
    if (/^!?process\.(platform|getuid)\b/.test(leaf) && !/hasCommand|existsSync|find[A-Z]\w*\(|Available\(|process\.env/.test(leaf)) continue;
    if (/^[A-Za-z_$][\w$]*$/.test(leaf) && depth < 5) {
      const c = resolveConst(file, leaf);
      if (!c) return `${leaf}: no const found`;
      const why = bypass(c.init, c.file, depth + 1);
      if (why) return `${leaf} = ${why}`;
      continue;
    }
    return leaf;
  }
  return undefined;
}

/** Every skip value of a spec source: `skip: <expr>`, the `{ skip }` shorthand, and `.skip(` calls. */
export function skipValues(src: string): { line: number; expr: string }[] {
  const code = src.replace(/^[ \t]*\/\/.*$/gm, (l) => ' '.repeat(l.length));
  const lineOf = (i: number) => code.slice(0, i).split('\n').length;
  const out: { line: number; expr: string }[] = [];
  for (const m of code.matchAll(/\bskip\s*:\s*/g)) out.push({ line: lineOf(m.index), expr: expressionAt(code, m.index + m[0].length) });
  for (const m of code.matchAll(/[{,]\s*skip\s*(?=[,}])/g)) out.push({ line: lineOf(m.index), expr: 'skip' });
  for (const m of code.matchAll(/\.skip\s*\(/g)) out.push({ line: lineOf(m.index), expr: '.skip( (a skip decided inside the test)' });
  return out.sort((a, b) => a.line - b.line);
}

function specFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) specFiles(p, out);
    else if (e.name.endsWith('.spec.ts')) out.push(p);
  }
  return out;
}

describe('tool skips go through skipUnlessTools', () => {
  it('classifies skip values (table)', () => {
    const here = join(root, 'tools', 'tool-skips.spec.ts');
    const cases: [string, boolean][] = [
      ["skipUnlessTools('openssl', !hasCommand('openssl'))", true],
      ["process.platform !== 'linux' && 'not Linux'", true],
      ["process.getuid?.() !== 0 && 'needs root (chown)'", true],
      ["skipUnlessTools('mosquitto', !m) || (process.getuid?.() !== 0 && 'needs root')", true],
      ['false', true],
      ["findMosquitto() || process.env['CI'] === 'true' ? false : 'needs mosquitto'", false],
      ["!protos && 'containerd protos not installed'", false],
      ['systemdVerifyUnavailable()', false],
      ["skipUnlessTools('mosquitto', !m) || (existsSync(b) ? false : 'bundle not built')", false],
      ["process.platform !== 'linux' || !hasCommand('ip') ? 'x' : false", false],
      ['notDefinedAnywhere', false],
    ];
    for (const [expr, allowed] of cases) assert.equal(bypass(expr, here) === undefined, allowed, expr);
    assert.deepEqual(skipValues("it('a', { skip: x, timeout: 1 }, f);\ndescribe('b', { skip }, f);\n// skip: comment\nt.skip('c');").map((s) => [s.line, s.expr]), [
      [1, 'x'],
      [2, 'skip'],
      [4, '.skip( (a skip decided inside the test)'],
    ]);
  });

  it('no spec skips on a missing tool except through skipUnlessTools (a skip that CI=true would honour)', () => {
    const offenders: string[] = [];
    for (const file of specFiles(root).filter((f) => f !== join(root, 'tools', 'tool-skips.spec.ts'))) {
      for (const { line, expr } of skipValues(readFileSync(file, 'utf8'))) {
        const why = bypass(expr, file);
        if (why) offenders.push(`${relative(root, file)}:${line}: ${why}`);
      }
    }
    assert.deepEqual(offenders, [], 'use skipUnlessTools(what, missing) from @ledge/shared/util/testing');
  });
});
