// Deployment descriptors (§4.2): *.json files in the deployment directory. `init` deploys only when no
// containers exist yet (first boot); `update` creates new ones and recreates changed ones on every start,
// matched by container name, and never removes anything.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDescriptor, type ContainerConfig } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { descriptorInvalidError } from './errors';
import type { ContainerManager } from './manager';

export type DeploymentMode = 'init' | 'update';

export interface DeploymentOptions {
  dir: string;
  mode: DeploymentMode;
  manager: ContainerManager;
  logger: Logger;
}

export interface DeploymentResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  failed: string[];
}

export async function readDescriptors(dir: string, logger: Logger): Promise<{ file: string; config: ContainerConfig }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: { file: string; config: ContainerConfig }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      logger.warn({ err: descriptorInvalidError(file, [(err as Error).message]) }, 'skipping container descriptor');
      continue;
    }
    const parsed = parseDescriptor(value);
    if (!parsed.ok) {
      logger.warn({ err: descriptorInvalidError(file, parsed.problems) }, 'skipping container descriptor');
      continue;
    }
    out.push({ file, config: parsed.value });
  }
  return out;
}

export async function deployDescriptors(options: DeploymentOptions): Promise<DeploymentResult> {
  const { manager } = options;
  const log = options.logger.child({ component: 'deployment' });
  const result: DeploymentResult = { created: [], updated: [], unchanged: [], failed: [] };
  if (options.mode === 'init' && manager.list().length > 0) {
    log.info({ containers: manager.list().length }, 'init deployment skipped: containers exist');
    return result;
  }
  for (const { file, config } of await readDescriptors(options.dir, log)) {
    const name = config.name;
    try {
      const existing = manager.findByName(name);
      if (existing === undefined) {
        await manager.create(config, { named: true, start: true });
        result.created.push(name);
      } else if (options.mode === 'update' && !isDeepStrictEqual(existing.config, config)) {
        await manager.recreate(existing.id, config);
        result.updated.push(name);
      } else {
        result.unchanged.push(name);
      }
    } catch (err) {
      log.error({ err, file, containerName: name }, 'deploying container failed');
      result.failed.push(name);
    }
  }
  log.info({ mode: options.mode, dir: options.dir, ...result }, 'deployment done');
  return result;
}
