#!/usr/bin/env node
// Bundles one app into dist/apps/<app>/main.js: one self-contained, pure-JavaScript CommonJS file
// that runs with plain `node` (>= 20.19) and no node_modules. This file is what .deb and Yocto ship.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = process.argv[2];
if (!app || !/^[a-z-]+$/.test(app)) {
  console.error('usage: build-app.mjs <app>');
  process.exit(2);
}
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const alias = {
  ...Object.fromEntries(Object.entries(tsconfig.compilerOptions.paths).map(([k, [v]]) => [k, join(root, v)])),
  // Dependencies' dependencies that Ledge's bundles replace (see each file).
  debug: join(root, 'tools/shims/debug.cjs'),
  'readable-stream': join(root, 'tools/shims/readable-stream.cjs'),
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The @smithy packages (the AWS SDK's SigV4 signer) have no exports map, so esbuild would take their
// CommonJS builds ("main"), which pull in the whole of @smithy/core (~230 KB); their ES builds ("module")
// let esbuild drop what the signer does not use (~25 KB in all).
const smithyEsm = {
  name: 'smithy-esm',
  setup(b) {
    b.onResolve({ filter: /^@smithy\/[^/]+$/ }, (args) => {
      const dir = join(root, 'node_modules', args.path);
      const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return typeof meta.module === 'string' && meta.exports === undefined ? { path: join(dir, meta.module) } : undefined;
    });
  },
};

// The dev cloud's web console (apps/dev-cloud/README.md "Console") ships inside the Node bundle:
// `import js from 'browser-bundle:./console/main.ts'` bundles that file (and what it imports) for the
// browser in a nested esbuild run (iife, minified) and hands its output to the importer as a string, so the
// server needs no files beside main.js and the page no CDN. libs/dev-cloud/feature-dev-cloud declares the
// module shape (browser-modules.d.ts). Files the nested build reads are watched with the outer build's.
const browserBundle = {
  name: 'browser-bundle',
  setup(b) {
    b.onResolve({ filter: /^browser-bundle:/ }, (args) => ({ path: join(args.resolveDir, args.path.slice('browser-bundle:'.length)), namespace: 'browser-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'browser-bundle' }, async (args) => {
      const r = await build({ entryPoints: [args.path], bundle: true, write: false, platform: 'browser', format: 'iife', target: 'es2022', minify: true, alias, metafile: true, logLevel: 'silent' });
      return { contents: r.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(r.metafile.inputs).map((f) => join(root, f)) };
    });
  },
};

// string-width (yargs, cliui and wrap-ansi each import a version) makes an Intl.Segmenter and compiles
// Unicode property RegExps when it is evaluated, and yargs renders a command's help text (cached in case
// the command fails) each time `ledge run` starts: ICU's break iterator, its data and the RegExps cost an
// idle process ~3.5 MiB of RSS (docs/performance.md "Footprint and soak"). Each import gets a wrapper
// that answers printable ASCII itself (its width is its length in every version: no control, zero-width,
// wide or emoji character) and loads the real module on the first other string.
const stringWidthAscii = {
  name: 'string-width-ascii',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'string-width-ascii' };
    });
    b.onLoad({ filter: /.*/, namespace: 'string-width-ascii' }, (args) => ({
      loader: 'js',
      resolveDir: root,
      contents: `let real;\nexport default function stringWidth(string, options) {\n  if (typeof string === 'string' && /^[\\x20-\\x7e]*$/.test(string)) return string.length;\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(string, options);\n}\n`,
    }));
  },
};

const result = await build({
  entryPoints: [join(root, 'apps', app, 'src', 'main.ts')],
  outfile: join(root, 'dist', 'apps', app, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'cjs',
  // V8 keeps a script's whole source in memory while it runs (plus a table of its line ends): without
  // whitespace and with syntax shortened the bundles are ~35 % smaller, which an idle all-in-one stack
  // shows as 1.5-2 MB less RSS (docs/performance.md). Identifiers are kept, so stack traces name the
  // functions; main.js.map (not shipped) maps positions back to the sources of the same build.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'linked',
  metafile: true,
  alias,
  plugins: [smithyEsm, browserBundle, stringWidthAscii],
  // The console's page and style sheet are text modules (see browserBundle).
  loader: { '.html': 'text', '.css': 'text' },
  // ESM dependencies (yargs) read import.meta.url; give them the real file URL in the CJS bundle.
  define: { 'import.meta.url': '__ledgeImportMetaUrl', 'process.env.LEDGE_VERSION': JSON.stringify(pkg.version) },
  banner: { js: "#!/usr/bin/env node\nconst __ledgeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// The repo's package.json says "type": "module"; the bundle is CommonJS. Installed under
// /usr/lib/ledge/<app>/ there is no package.json above it, here this one keeps Node from reading it as ESM.
writeFileSync(join(root, 'dist', 'apps', app, 'package.json'), '{ "type": "commonjs" }\n');
// V8 keeps a script's source in memory as long as it runs, as one byte per character only if every
// character is Latin-1. esbuild escapes non-ASCII in literals, so what is left (— → × in comments) is in
// comments; replacing it halves the resident source (~1.5 MB per process, measured with a heap snapshot).
const outfile = join(root, 'dist', 'apps', app, 'main.js');
const code = readFileSync(outfile, 'utf8');
const latin1 = code.replace(/[^\u0000-\u00ff]/g, '?');
if (latin1 !== code) writeFileSync(outfile, latin1);
const natives = Object.keys(result.metafile.inputs).filter((f) => f.endsWith('.node'));
if (natives.length > 0) {
  console.error(`native addons must not ship: ${natives.join(', ')}`);
  process.exit(1);
}
const bytes = result.metafile.outputs[relative(root, outfile)]?.bytes ?? NaN;
console.log(`built dist/apps/${app}/main.js (${(bytes / 1024).toFixed(0)} KiB)`);
