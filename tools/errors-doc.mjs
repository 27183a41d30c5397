#!/usr/bin/env node
// Generates the code tables of docs/errors.md from every lib's errors.ts (STYLE.md: codes are listed
// in docs/errors.md). Each lib defines its errors in one `defineErrors({ … })` table (@ledge/shared/util),
// one entry per error: `/** meaning */ KEY: { code: 'LEDGE_…', kind: '…', message: '…' },`. The tables
// list code, kind, message template and meaning. Fails when a code is defined twice, an entry lacks its
// doc comment or is not in that shape, or a file still lists codes the old way (`KEY: 'LEDGE_…'`).
//   node tools/errors-doc.mjs          rewrite docs/errors.md
//   node tools/errors-doc.mjs --check  exit 1 if docs/errors.md is stale (run by the tests)
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = join(root, 'docs/errors.md');
const BEGIN = '<!-- BEGIN GENERATED: node tools/errors-doc.mjs -->';
const END = '<!-- END GENERATED -->';
const KINDS = ['InvalidArgument', 'NotFound', 'AlreadyExists', 'FailedPrecondition', 'Unavailable', 'Internal'];

/** Every `errors.ts` under libs/ and apps/ of `base`, sorted. */
export function errorFiles(base = root) {
  const find = (dir, out) => {
    for (const n of readdirSync(dir)) {
      if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) continue;
      const p = join(dir, n);
      if (statSync(p).isDirectory()) find(p, out);
      else if (n === 'errors.ts') out.push(p);
    }
    return out;
  };
  return ['libs', 'apps'].flatMap((d) => find(join(base, d), [])).sort();
}

const STRING = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"`;
const ENTRY = new RegExp(
  String.raw`(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?([A-Z][A-Z_0-9]*):\s*\{\s*code:\s*'(LEDGE_[A-Z_0-9]+)',\s*kind:\s*'(\w+)',\s*message:\s*(${STRING}),?\s*\}`,
  'g',
);

const unquote = (s) => s.slice(1, -1).replace(/\\(.)/g, '$1');

/**
 * The error table of one errors.ts: `table` (the const holding `defineErrors(…)`), `alias` (the const set
 * to `<table>.codes`, e.g. BrokerErrorCodes) and its rows `{ key, code, kind, message, meaning }`; null
 * when the file defines no LEDGE_ code. Throws (naming `file`) on anything it cannot document.
 */
export function parseErrorTable(text, file = 'errors.ts') {
  const old = /^\s*[A-Z][A-Z_0-9]*:\s*['"]LEDGE_/m.exec(text);
  if (old) throw new Error(`${file}: '${old[0].trim()}' lists a code outside defineErrors; give it an entry { code, kind, message }`);
  if (!/LEDGE_/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) return null;
  const tables = [...text.matchAll(/^(?:export\s+)?const\s+(\w+)\s*=\s*defineErrors\(/gm)];
  if (tables.length !== 1) throw new Error(`${file}: expected one defineErrors table, found ${tables.length}`);
  const table = tables[0][1];
  const start = tables[0].index;
  const end = text.indexOf('\n});', start);
  if (end < 0) throw new Error(`${file}: the defineErrors table of ${table} does not end with a line '});'`);
  const body = text.slice(start, end);
  const alias = new RegExp(String.raw`^(?:export\s+)?const\s+(\w+)\s*=\s*${table}\.codes\b`, 'm').exec(text)?.[1] ?? null;
  const rows = [];
  for (const m of body.matchAll(ENTRY)) {
    const [, comment, key, code, kind, message] = m;
    if (comment === undefined) throw new Error(`${file}: ${key} (${code}) has no /** meaning */ doc comment`);
    if (!KINDS.includes(kind)) throw new Error(`${file}: ${key} has an unknown kind '${kind}'`);
    if (rows.some((r) => r.code === code)) throw new Error(`error code ${code} defined twice in ${file}`);
    const meaning = comment.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).join(' ').trim();
    rows.push({ key, code, kind, message: unquote(message), meaning });
  }
  const codes = [...body.matchAll(/\bcode:\s*['"](LEDGE_[A-Z_0-9]+)['"]/g)].map((m) => m[1]);
  const missed = codes.filter((c) => !rows.some((r) => r.code === c));
  if (missed.length > 0 || codes.length !== rows.length) {
    throw new Error(`${file}: entries not in the shape /** meaning */ KEY: { code: 'LEDGE_…', kind: '…', message: '…' }: ${missed.join(', ') || 'a code twice'}`);
  }
  return { table, alias, rows };
}

const cell = (s) => s.replace(/\|/g, '\\|');
const codeSpan = (s) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

/** docs/errors.md as it should be: its hand-written head and one generated table per lib. */
export function generate(base = root) {
  const seen = new Map();
  const sections = [];
  for (const f of errorFiles(base)) {
    const parsed = parseErrorTable(readFileSync(f, 'utf8'), relative(base, f));
    if (parsed === null) continue;
    for (const r of parsed.rows) {
      if (seen.has(r.code)) throw new Error(`error code ${r.code} defined twice: ${seen.get(r.code)} and ${relative(base, f)}`);
      seen.set(r.code, relative(base, f));
    }
    const lib = relative(base, f).replace(/\/src\/errors\.ts$/, '');
    const rows = parsed.rows.map((r) => `| \`${r.code}\` | ${r.kind} | ${cell(codeSpan(r.message))} | ${cell(r.meaning)} |`);
    sections.push(`### ${lib}\n\n| code | kind | message | meaning |\n|---|---|---|---|\n${rows.join('\n')}`);
  }
  const current = readFileSync(join(base, 'docs/errors.md'), 'utf8');
  const head = current.includes(BEGIN) ? current.slice(0, current.indexOf(BEGIN)) : `${current.trimEnd()}\n\n`;
  return `${head}${BEGIN}\n\n${sections.join('\n\n')}\n\n${END}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const next = generate();
  if (process.argv.includes('--check')) {
    if (readFileSync(doc, 'utf8') !== next) {
      console.error('docs/errors.md is stale: run node tools/errors-doc.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(doc, next);
  }
}
