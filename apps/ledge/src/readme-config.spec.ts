// Each app's README config table is generated from its spec (STYLE.md "Docs' config tables are generated
// from the schema"): this fails when a README drifts. Regenerate with `node --import tsx apps/ledge/src/readme-config.spec.ts --write`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commonConfig, configTable } from '@ledge/shared/util';
import { repoRoot } from '@ledge/shared/util/testing';
import { hostedApps } from './apps';

const TABLE_HEAD = '| key | flag | env | default | meaning |';

/** The README with its config table replaced by `table`. */
function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_HEAD);
  if (start < 0) throw new Error('no config table');
  let end = readme.indexOf('\n', start);
  while (end >= 0 && readme.startsWith('|', end + 1)) end = readme.indexOf('\n', end + 1);
  return readme.slice(0, start) + table + (end < 0 ? '' : readme.slice(end));
}

/** Apps `ledge run` does not host (one-shot, or only with --dev-cloud), with a README all the same. */
const standalone = [
  { name: 'bootstrapping', load: async () => (await import('@ledge/connector/feature-bridge')).bootstrappingEntry as unknown as Awaited<ReturnType<(typeof hostedApps)[number]['load']>> },
  { name: 'dev-cloud', load: async () => (await import('@ledge/dev-cloud/feature-dev-cloud')).devCloudEntry as unknown as Awaited<ReturnType<(typeof hostedApps)[number]['load']>> },
];

describe("the apps' README config tables", () => {
  for (const app of [...hostedApps, ...standalone]) {
    it(`${app.name}: README table = configTable(spec)`, async () => {
      const entry = await app.load();
      const path = join(repoRoot, 'apps', app.name, 'README.md');
      const readme = readFileSync(path, 'utf8');
      const table = configTable(app.name, { ...commonConfig, ...entry.spec }, entry.aliases ?? {});
      if (process.argv.includes('--write')) writeFileSync(path, withTable(readme, table));
      else assert.equal(withTable(readme, table), readme, `regenerate the table in apps/${app.name}/README.md (see this file's header)`);
    });
  }
});
