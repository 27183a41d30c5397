// tools/build-app.mjs answers string-width for printable ASCII itself (the string's length) and loads the
// real module only for other strings. Every version the bundles import must agree with that answer.
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');

/** Every string-width in node_modules (top level and nested under another package). */
function versions(): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const pkg = join(dir, name);
      if (name === 'string-width' && existsSync(join(pkg, 'index.js'))) found.push(join(pkg, 'index.js'));
      if (name.startsWith('@')) visit(pkg, depth);
      else if (depth < 2) visit(join(pkg, 'node_modules'), depth + 1);
    }
  };
  visit(join(root, 'node_modules'), 0);
  return found;
}

test('every string-width in node_modules gives printable ASCII its length', async () => {
  const files = versions();
  assert.ok(files.length >= 1, 'string-width is installed');
  const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = ['', ...printable, printable.join(''), ...Array.from({ length: 200 }, () => Array.from({ length: Math.floor(random() * 80) }, () => printable[Math.floor(random() * printable.length)]).join(''))];
  for (const file of files) {
    const { default: stringWidth } = (await import(pathToFileURL(file).href)) as { default: (s: string, o?: object) => number };
    for (const s of samples) {
      assert.equal(stringWidth(s), s.length, `${file}: ${JSON.stringify(s)}`);
      assert.equal(stringWidth(s, { ambiguousIsNarrow: false }), s.length, `${file} (ambiguous wide): ${JSON.stringify(s)}`);
    }
    // Outside printable ASCII the answers differ from the length: the wrapper must not take those.
    assert.equal(stringWidth('\u001B[31mred\u001B[39m'), 3, file);
    assert.equal(stringWidth('\t'), 0, file);
  }
});
