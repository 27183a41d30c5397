// `ledge diag`'s configs: every app's merged config (defaults < file < env) as it would start here, secrets
// redacted by key, and the secret values themselves (and the first line of each password file) so that
// the bundle can blank them wherever else they appear.
import { readFileSync } from 'node:fs';
import { secretValues } from '@ledge/shared/feature-status';
import { prepareConfig, redactObject } from '@ledge/shared/util';
import { hostedApps } from './apps';

export async function appConfigs(env: Readonly<Record<string, string | undefined>> = process.env): Promise<{ configs: Record<string, unknown>; secrets: Set<string> }> {
  const configs: Record<string, unknown> = {};
  const secrets = new Set<string>();
  const devDir = env['LEDGE_DEV_DIR'];
  for (const hosted of hostedApps) {
    try {
      const entry = await hosted.load();
      const { config, sources, configFile } = prepareConfig(entry, { argv: [], env, ...(devDir ? { devDir } : {}) });
      secretValues(config, secrets);
      for (const [k, v] of Object.entries(config)) {
        if (!/passwordFile$/i.test(k) || typeof v !== 'string' || v === '') continue;
        try {
          const line = readFileSync(v, 'utf8').split(/\r?\n/)[0];
          if (line) secrets.add(line);
        } catch {
          // unreadable here (not root): then it cannot be in this bundle either
        }
      }
      configs[hosted.name] = { configFile: configFile ?? null, sources, config: redactObject(config) };
    } catch (err) {
      configs[hosted.name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return { configs, secrets };
}
