#!/usr/bin/env node
// Generates the code tables of docs/errors.md from every lib's errors.ts (STYLE.md: codes are listed
// in docs/errors.md). Each code is documented by the `/** … */` comment above its constant.
//   node tools/errors-doc.mjs          rewrite docs/errors.md
//   node tools/errors-doc.mjs --check  exit 1 if docs/errors.md is stale (run by the tests)
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const doc = join(root, 'docs/errors.md');
const BEGIN = '<!-- BEGIN GENERATED: node tools/errors-doc.mjs -->';
const END = '<!-- END GENERATED -->';

function find(dir, out = []) {
  for (const n of readdirSync(dir)) {
    if (n === 'node_modules' || n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) find(p, out);
    else if (n === 'errors.ts') out.push(p);
  }
  return out;
}

export function generate() {
  const files = ['libs', 'apps'].flatMap((d) => find(join(root, d))).sort();
  const seen = new Map();
  const sections = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const rows = [];
    const re = /(?:\/\*\*\s*([\s\S]*?)\s*\*\/\s*)?[A-Z_0-9]+:\s*'(LEDGE_[A-Z_0-9]+)'/g;
    let m;
    while ((m = re.exec(text))) {
      const code = m[2];
      if (rows.some((r) => r.code === code)) continue;
      if (seen.has(code) && seen.get(code) !== f) throw new Error(`error code ${code} defined twice: ${seen.get(code)} and ${f}`);
      seen.set(code, f);
      const meaning = (m[1] ?? '').split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).join(' ').trim();
      rows.push({ code, meaning: meaning || '—' });
    }
    if (rows.length === 0) continue;
    const lib = relative(root, f).replace(/\/src\/errors\.ts$/, '');
    sections.push(`### ${lib}\n\n| code | meaning |\n|---|---|\n${rows.map((r) => `| \`${r.code}\` | ${r.meaning.replace(/\|/g, '\\|')} |`).join('\n')}`);
  }
  const current = readFileSync(doc, 'utf8');
  const head = current.includes(BEGIN) ? current.slice(0, current.indexOf(BEGIN)) : `${current.trimEnd()}\n\n`;
  return `${head}${BEGIN}\n\n${sections.join('\n\n')}\n\n${END}\n`;
}

const next = generate();
if (process.argv.includes('--check')) {
  if (readFileSync(doc, 'utf8') !== next) {
    console.error('docs/errors.md is stale: run node tools/errors-doc.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(doc, next);
}
