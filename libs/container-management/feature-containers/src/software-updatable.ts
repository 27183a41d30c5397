// Containers SoftwareUpdatable (§4.5): `install` downloads each module's container descriptor,
// verifies its checksum, creates and starts the container; `remove` removes containers by ID. Replies
// 204 once the request parses; progress goes to status/lastOperation (and lastFailedOperation).
import { createHash } from 'node:crypto';
import {
  CONTAINERS_SOFTWARE_MODULE_TYPE,
  installedDependency,
  parseDescriptor,
  parseSuInstall,
  parseSuRemove,
  type InstalledDependency,
  type SuArtifact,
  type SuModule,
} from '@ledge/container-management/model-containers';
import type { DittoAgent, DittoCommand } from '@ledge/shared/data-access-mqtt';
import { FeatureDefinitionLists, FeatureIds } from '@ledge/shared/model-ditto';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import { checksumMismatchError, containerNotFoundError, descriptorInvalidError, downloadFailedError, invalidRequestError } from './errors';
import type { ContainerManager } from './manager';

export const SU_OPERATIONS = ['install', 'remove'] as const;
/** Kanto's message for download/checksum failures (§8 softwareUpdatableSuite). */
export const INTERNAL_RUNTIME_ERROR = 'internal runtime error';
const MAX_DESCRIPTOR_BYTES = 1024 * 1024;

export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface SoftwareUpdatableOptions {
  agent: Pick<DittoAgent, 'handle' | 'modify' | 'thingId'>;
  manager: ContainerManager;
  logger: Logger;
  fetch?: Fetch;
  downloadTimeoutMs?: number;
}

interface Operation {
  correlationId: string;
  status: string;
  softwareModule?: { name: string; version: string };
  progress?: number;
  message?: string;
}

export interface SoftwareUpdatable {
  /** The whole feature value, for publishing when the thing becomes known. */
  feature(): { featureId: string; value: unknown };
  /** Resolves when in-flight installs/removals are done (tests, close). */
  idle(): Promise<void>;
  close(): void;
}

const FEATURE = FeatureIds.softwareUpdatable;

export function createSoftwareUpdatable(options: SoftwareUpdatableOptions): SoftwareUpdatable {
  const { agent, manager } = options;
  const log = options.logger.child({ component: 'software-updatable' });
  const fetchFn: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.downloadTimeoutMs ?? 60_000;
  let chain: Promise<void> = Promise.resolve();

  const dependencies = (): Record<string, InstalledDependency> =>
    Object.fromEntries(manager.list().map((r) => installedDependency(r.id, r.config.imageRef)).map((d) => [d.key, d.value]));

  const status = () => ({ softwareModuleType: CONTAINERS_SOFTWARE_MODULE_TYPE, installedDependencies: dependencies() });

  const modify = async (path: string, value: unknown) => {
    try {
      await agent.modify(`/features/${FEATURE}/properties/status/${path}`, value);
    } catch (err) {
      log.warn({ err, path }, 'SoftwareUpdatable update not sent');
    }
  };
  const report = (op: Operation) => modify('lastOperation', op);
  const fail = async (op: Operation) => {
    await modify('lastFailedOperation', op);
    await modify('lastOperation', op);
  };

  const download = async (a: SuArtifact): Promise<Buffer> => {
    let body: Buffer;
    try {
      const res = await fetchFn(a.url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw downloadFailedError(a.url, err);
    }
    if (body.length > MAX_DESCRIPTOR_BYTES) throw downloadFailedError(a.url, new Error('descriptor larger than 1 MiB'));
    const [alg, want] = a.checksums.SHA256 ? ['sha256', a.checksums.SHA256] : a.checksums.SHA1 ? ['sha1', a.checksums.SHA1] : ['md5', a.checksums.MD5!];
    if (createHash(alg).update(body).digest('hex') !== want) throw checksumMismatchError(a.url, alg.toUpperCase());
    return body;
  };

  const installModule = async (correlationId: string, m: SuModule) => {
    const softwareModule = { name: m.name, version: m.version };
    await report({ correlationId, status: 'DOWNLOADING', softwareModule, progress: 0 });
    let body: Buffer;
    try {
      body = await download(m.artifacts[0]!);
    } catch (err) {
      log.warn({ err, correlationId, module: m.name }, 'container descriptor download failed');
      await fail({ correlationId, status: 'FINISHED_ERROR', softwareModule, message: INTERNAL_RUNTIME_ERROR });
      return false;
    }
    await report({ correlationId, status: 'DOWNLOADED', softwareModule, progress: 100 });
    await report({ correlationId, status: 'INSTALLING', softwareModule });
    try {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw descriptorInvalidError(m.artifacts[0]!.url, [(err as Error).message]);
      }
      const parsed = parseDescriptor(json);
      if (!parsed.ok) throw descriptorInvalidError(m.artifacts[0]!.url, parsed.problems);
      const existing = manager.findByName(parsed.value.name);
      if (existing) await manager.recreate(existing.id, parsed.value);
      else await manager.create(parsed.value, { named: true, start: true });
    } catch (err) {
      log.warn({ err, correlationId, module: m.name }, 'container install failed');
      await fail({ correlationId, status: 'FINISHED_ERROR', softwareModule, message: isLedgeError(err) ? err.message : INTERNAL_RUNTIME_ERROR });
      return false;
    }
    await report({ correlationId, status: 'INSTALLED', softwareModule });
    await modify('installedDependencies', dependencies());
    return true;
  };

  const install = async (correlationId: string, modules: SuModule[]) => {
    await report({ correlationId, status: 'STARTED' });
    for (const m of modules) if (!(await installModule(correlationId, m))) return;
    await report({ correlationId, status: 'FINISHED_SUCCESS' });
  };

  const remove = async (correlationId: string, ids: string[], forced: boolean) => {
    await report({ correlationId, status: 'REMOVING' });
    for (const id of ids) {
      try {
        if (!manager.list().some((r) => r.id === id)) throw containerNotFoundError(id);
        await manager.remove(id, true);
      } catch (err) {
        log.warn({ err, correlationId, containerId: id, forced }, 'container removal failed');
        await fail({ correlationId, status: 'FINISHED_ERROR', message: err instanceof Error ? err.message : String(err) });
        return;
      }
    }
    await modify('installedDependencies', dependencies());
    await report({ correlationId, status: 'REMOVED' });
    await report({ correlationId, status: 'FINISHED_SUCCESS' });
  };

  let busy = 0;
  const enqueue = (fn: () => Promise<void>) => {
    chain = chain
      .then(async () => {
        busy++;
        try {
          await fn();
        } finally {
          busy--;
        }
      })
      .catch((err: unknown) => log.error({ err }, 'SoftwareUpdatable operation failed'));
  };
  // Containers created or removed through ContainerFactory/Container:<id> change the inventory too;
  // during an install/remove the operation itself reports it at the right step.
  const offEvents = manager.onEvent((e) => {
    if (busy > 0 || agent.thingId === undefined || (e.type !== 'created' && e.type !== 'removed')) return;
    void modify('installedDependencies', dependencies());
  });

  const off = agent.handle(
    FEATURE,
    async (c: DittoCommand) => {
      if (c.operation === 'install') {
        const p = parseSuInstall(c.value);
        if (!p.ok) throw invalidRequestError('install request', p.problems);
        enqueue(() => install(p.value.correlationId, p.value.modules));
      } else {
        const p = parseSuRemove(c.value);
        if (!p.ok) throw invalidRequestError('remove request', p.problems);
        enqueue(() => remove(p.value.correlationId, p.value.ids, p.value.forced));
      }
    },
    SU_OPERATIONS,
  );

  return {
    feature: () => ({ featureId: FEATURE, value: { definition: FeatureDefinitionLists.softwareUpdatable, properties: { status: status() } } }),
    idle: () => chain,
    close: () => {
      off();
      offEvents();
    },
  };
}
