// The software-update app: Kanto's script-based SoftwareUpdatable on the gateway thing (§3.6, §5).
// Local bus → Ditto agent (identity, inbox dispatch, twin modifies) → update engine (queue, download,
// install, persistence). The feature is (re-)registered with a whole-feature modify whenever the thing
// identity becomes known or changes. Its health (`edge/health/software-update`) carries the last finished
// operation and is published again whenever one finishes (issue 21 item 3: `ledge status` shows it).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDittoAgent, createLocalBusClient, localBusClientOptions, withHealth, type LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { FeatureDefinitionLists } from '@ledge/shared/model-ditto';
import { createDownloader } from '@ledge/software-update/data-access-download';
import type { AppHealth } from '@ledge/shared/model-edge';
import {
  isFinalStatus,
  parseDuration,
  parseUpdateAction,
  requestInvalidError,
  softwareUpdateSpec,
  type ArtifactType,
  type SoftwareUpdateSpec,
  type UpdateOperation,
} from '@ledge/software-update/model-software-update';
import { ConfigError, createCloser, kantoLocalBusAliases, type App, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { createUpdateEngine, type FinishedOperation, type StatusSink } from './engine';
import type { FileMode } from './file-artifact';
import { createOperationStore } from './operation-store';

export type SoftwareUpdateConfig = ConfigOf<WithCommon<SoftwareUpdateSpec>>;

export interface SoftwareUpdateDeps {
  readonly logger: Logger;
  /** The local bus; default a client for `config.broker`. */
  readonly bus?: LocalBusClient;
  /** Where the app's health gets its details and is republished (withHealth hands it in); default none. */
  readonly health?: {
    details(fn: () => Pick<AppHealth, 'lastOperation'>): void;
    refresh(): void;
  };
  /** Test hooks: faster retries and progress. */
  readonly tuning?: { retryInitialMs?: number; retryMaxMs?: number; progressIntervalMs?: number; installKillGraceMs?: number };
}

export const SOFTWARE_UPDATE_OPERATIONS: readonly UpdateOperation[] = Object.freeze(['install', 'download']);

/** A finished operation as health reports it: the module as `name:version`, the message if any. */
export function healthOperationOf(f: FinishedOperation): NonNullable<AppHealth['lastOperation']> {
  const { correlationId, status, softwareModule, message } = f.operation;
  return {
    correlationId,
    status,
    at: f.at,
    ...(softwareModule !== undefined ? { module: `${softwareModule.name}:${softwareModule.version}` } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

function readConfigFile(key: string, path: string): Buffer | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`config key '${key}': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key, file: path });
  }
}

export function createSoftwareUpdate(config: SoftwareUpdateConfig, deps: SoftwareUpdateDeps): App {
  const log = deps.logger.child({ component: 'software-update' });
  const featureId = config.featureId;
  const ms = (key: 'downloadRetryInterval' | 'downloadStallTimeout' | 'installTimeout') => parseDuration(config[key])!;
  const serverCa = readConfigFile('serverCert', config.serverCert);
  const bus =
    deps.bus ??
    createLocalBusClient({
      ...localBusClientOptions(config),
      clientId: `ledge-software-update-${randomBytes(4).toString('hex')}`,
      backoff: { initialMs: 1000, maxMs: 5000 },
      logger: deps.logger,
    });
  const agent = createDittoAgent({ bus, logger: deps.logger, thingSuffix: '' });
  const downloader = createDownloader({
    ...(serverCa ? { ca: serverCa } : {}),
    retries: config.downloadRetryCount,
    retryInitialMs: deps.tuning?.retryInitialMs ?? ms('downloadRetryInterval'),
    retryMaxMs: deps.tuning?.retryMaxMs ?? Math.max(60_000, ms('downloadRetryInterval')),
    stallTimeoutMs: ms('downloadStallTimeout'),
    maxSize: config.maxArtifactSize,
    minFreeSpace: config.minFreeSpace,
    logger: deps.logger,
  });
  const store = createOperationStore(config.storageLocation);
  const statusPath = (p: string) => `/features/${featureId}/properties/status/${p}`;
  const sink: StatusSink = {
    ready: async (signal) => void (await agent.ready(signal)),
    lastOperation: (v) => {
      if (isFinalStatus(v.status)) deps.health?.refresh(); // the engine's lastFinished is this one already
      return agent.modify(statusPath('lastOperation'), v);
    },
    lastFailedOperation: (v) => agent.modify(statusPath('lastFailedOperation'), v),
    installedDependencies: (v) => agent.modify(statusPath('installedDependencies'), v),
  };
  const engine = createUpdateEngine({
    store,
    downloader,
    sink,
    logger: deps.logger,
    artifactType: config.artifactType as ArtifactType,
    install: config.install,
    installTimeoutMs: ms('installTimeout'),
    queueSize: config.queueSize,
    installDirs: config.installDirs,
    mode: config.mode as FileMode,
    ...(deps.tuning?.progressIntervalMs !== undefined ? { progressIntervalMs: deps.tuning.progressIntervalMs } : {}),
    ...(deps.tuning?.installKillGraceMs !== undefined ? { installKillGraceMs: deps.tuning.installKillGraceMs } : {}),
  });
  deps.health?.details(() => {
    const f = engine.lastFinished;
    return f === undefined ? {} : { lastOperation: healthOperationOf(f) };
  });

  const register = async (thingId: string) => {
    const status = {
      softwareModuleType: config.moduleType,
      installedDependencies: await engine.installedDependencies(),
      ...(engine.last.lastOperation ? { lastOperation: engine.last.lastOperation } : {}),
      ...(engine.last.lastFailedOperation ? { lastFailedOperation: engine.last.lastFailedOperation } : {}),
    };
    await agent.modify(`/features/${featureId}`, { definition: [...FeatureDefinitionLists.softwareUpdatable], properties: { status } });
    log.info({ thingId, featureId }, 'feature registered');
  };
  agent.onThing((thingId) => void register(thingId).catch((err: unknown) => log.error({ err }, 'feature registration failed')));
  agent.handle(
    featureId,
    async (cmd) => {
      const parsed = parseUpdateAction(cmd.value);
      if (!parsed.ok) throw requestInvalidError(cmd.operation, parsed.problems);
      // A request without correlationId in its value is tracked by the Ditto correlation-id header.
      const action = parsed.action.correlationId === '' && cmd.correlationId ? { ...parsed.action, correlationId: cmd.correlationId } : parsed.action;
      await engine.submit(cmd.operation as UpdateOperation, action);
    },
    SOFTWARE_UPDATE_OPERATIONS,
  );

  const closer = createCloser(log);
  return {
    async start() {
      // The store is read first: resumed operations wait in the queue until the thing is known.
      // Closed in reverse: stop intake (agent), stop the running operation (it stays stored), then the
      // bus and the downloader's connections.
      closer.add('downloader', () => downloader.close());
      await engine.start();
      if (deps.bus === undefined) {
        await bus.start();
        closer.add('bus', () => bus.close());
      }
      closer.add('engine', () => engine.close());
      await agent.start();
      closer.add('agent', () => agent.close());
      log.info({ featureId, storage: config.storageLocation, broker: config.localAddress }, 'software update started');
    },
    close: () => closer.close(),
  };
}

export const softwareUpdateEntry: AppEntry<SoftwareUpdateSpec> = withHealth({
  name: 'software-update',
  summary: 'Ledge software update: the hawkBit SoftwareUpdatable feature (install/download with resumable, verified downloads and install scripts)',
  spec: softwareUpdateSpec,
  aliases: kantoLocalBusAliases,
  create: (config, { logger, health }) => createSoftwareUpdate(config, { logger, health }),
  devDefaults: (devDir) => ({ storageLocation: join(devDir, 'software-update') }),
});
