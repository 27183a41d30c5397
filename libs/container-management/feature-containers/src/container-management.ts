// Composition of container management: store + manager + Ditto features + metrics + containers' logs on
// the bus (+ deployment, SoftwareUpdatable and the containers update agent). Every collaborator is
// injected; the app entry supplies containerd and MQTT.
import { join } from 'node:path';
import type { ContainerRuntime } from '@ledge/container-management/model-containers';
import { createDittoAgent, type DittoAgent, type LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { FeatureIds } from '@ledge/shared/model-ditto';
import { EDGE_CONTAINERS_SUFFIX } from '@ledge/shared/model-ditto';
import { createLogger, onlyOnce, systemScheduler, type App, type Logger, type Scheduler } from '@ledge/shared/util';
import { createContainerLogsService } from './container-logs';
import { createLocalApi, type LocalApi } from './local-api';
import { registerContainerFeatures, type ContainerFeatures } from './ditto-features';
import { createContainerManager, type ContainerManager } from './manager';
import { createMetricsReporter, type MetricsReporter } from './metrics-reporter';
import { createSoftwareUpdatable, type Fetch, type SoftwareUpdatable } from './software-updatable';
import { createContainerStore } from './store';
import { createUpdateAgent, type UpdateAgent, type UpdateAgentOptions } from './update-agent/update-agent';

export interface ContainerManagementOptions {
  runtime: ContainerRuntime;
  bus: LocalBusClient;
  homeDir: string;
  logger?: Logger;
  defaultStopTimeoutMs?: number;
  restartDelayMs?: number;
  /** Timers of the manager (policy restarts, health probes), the metrics period and the update agent; default the system's. */
  scheduler?: Scheduler;
  /** Timestamps (records, metrics, the update agent's envelopes); default Date.now. */
  now?: () => number;
  /** Runs after the persisted containers are restored, before the features are served (deployment). */
  afterRestore?: (manager: ContainerManager) => Promise<void>;
  /** Serve the containers SoftwareUpdatable feature (§4.5); default true. */
  softwareUpdatable?: boolean;
  /** Artifact download (SoftwareUpdatable); default global fetch. */
  fetch?: Fetch;
  /** Unix socket of the local API for `ledge cm`; absent or '' = no local API. */
  apiSocket?: string;
  /** Run the containers update agent (issue 18) with these settings; absent = off, as Kanto's default. */
  updateAgent?: Omit<UpdateAgentOptions, 'bus' | 'manager' | 'logger' | 'homeDir'>;
}

export interface ContainerManagement extends App {
  readonly manager: ContainerManager;
  readonly metrics: MetricsReporter;
  readonly agent: DittoAgent;
  readonly features: ContainerFeatures;
  readonly softwareUpdatable: SoftwareUpdatable | undefined;
  readonly localApi: LocalApi | undefined;
  readonly updateAgent: UpdateAgent | undefined;
}

export function createContainerManagement(options: ContainerManagementOptions): ContainerManagement {
  const logger = options.logger ?? createLogger({ name: 'ledge', level: 'silent' });
  const log = logger.child({ component: 'container-management' });
  const store = createContainerStore(options.homeDir);
  const scheduler = options.scheduler ?? systemScheduler;
  const now = options.now ?? Date.now;
  const manager = createContainerManager({
    runtime: options.runtime,
    store,
    logger,
    scheduler,
    now,
    ...(options.defaultStopTimeoutMs !== undefined ? { defaultStopTimeoutMs: options.defaultStopTimeoutMs } : {}),
    ...(options.restartDelayMs !== undefined ? { restartDelayMs: options.restartDelayMs } : {}),
  });
  const agent = createDittoAgent({ bus: options.bus, logger, thingSuffix: EDGE_CONTAINERS_SUFFIX });
  const metrics = createMetricsReporter({ manager, runtime: options.runtime, logger, scheduler, now, send: (data) => agent.message(FeatureIds.metrics, 'data', data) });
  const softwareUpdatable =
    options.softwareUpdatable === false ? undefined : createSoftwareUpdatable({ agent, manager, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const localApi = options.apiSocket ? createLocalApi({ socketPath: options.apiSocket, manager, runtime: options.runtime, logger }) : undefined;
  // the containers' part of file upload's Logs feature: their json-file logs are root's, served from here
  const containerLogs = createContainerLogsService({ bus: options.bus, manager, runtime: options.runtime, logger });
  const updateAgent = options.updateAgent ? createUpdateAgent({ scheduler, now, ...options.updateAgent, bus: options.bus, manager, logger, homeDir: options.homeDir }) : undefined;
  const features = registerContainerFeatures({ agent, manager, metrics, logger, extraFeatures: () => (softwareUpdatable ? [softwareUpdatable.feature()] : []) });

  return {
    manager,
    metrics,
    agent,
    features,
    softwareUpdatable,
    localApi,
    updateAgent,
    async start() {
      await manager.start();
      // The CLI is a convenience beside the cloud: a socket that cannot be served is logged, not fatal.
      await localApi?.start().catch((err: unknown) => log.error({ err, socketPath: options.apiSocket }, 'local API not available'));
      if (options.afterRestore) {
        try {
          await options.afterRestore(manager);
        } catch (err) {
          log.error({ err }, 'deployment failed');
        }
      }
      await agent.start();
      await containerLogs.start();
      // After the deployment: its containers are part of the current state the agent reports.
      await updateAgent?.start();
      log.info({ homeDir: options.homeDir, containers: manager.list().length, statePath: join(options.homeDir, 'containers') }, 'container management started');
    },
    close: onlyOnce(async () => {
      await updateAgent?.close();
      await localApi?.close();
      await containerLogs.close();
      metrics.close();
      features.close();
      softwareUpdatable?.close();
      await agent.close();
      await softwareUpdatable?.idle();
      await manager.close();
    }),
  };
}
