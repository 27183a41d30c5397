// The container-management app entry for `main()` and `ledge run`: containerd runtime + local bus +
// the composition in container-management.ts.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createContainerdRuntime, type RegistryConfig } from '@ledge/container-management/data-access-containerd';
import { parseRegistryConfigurations, type ContainerRuntime } from '@ledge/container-management/model-containers';
import { createLocalBusClient, localBusClientOptions, withHealth } from '@ledge/shared/data-access-mqtt';
import { ConfigError, onlyOnce, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { containerManagementAliases, containerManagementSpec, type ContainerManagementSpec } from './config';
import { createContainerManagement } from './container-management';
import { deployDescriptors, type DeploymentMode } from './deployment';
import { updateAgentSettings } from './update-agent/settings';

export type ContainerManagementConfig = ConfigOf<WithCommon<ContainerManagementSpec>>;
export const LOCAL_CLIENT_ID = 'ledge-container-management';

export interface ContainerManagementDeps {
  logger: Logger;
  /** Builds the container runtime; default containerd at config.containerdSocket. */
  createRuntime?: (config: ContainerManagementConfig, logger: Logger) => ContainerRuntime;
}

/** `registryConfigurations` → the runtime's per-registry credentials and TLS (files read here, once). */
export function registriesFromConfig(value: unknown): Record<string, RegistryConfig> {
  const parsed = parseRegistryConfigurations(value);
  if (!parsed.ok) throw new ConfigError(`config key 'registryConfigurations': ${parsed.problems.join('; ')}`, { key: 'registryConfigurations' });
  const read = (host: string, what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`config key 'registryConfigurations': "${host}".transport.${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key: 'registryConfigurations', file: path });
    }
  };
  return Object.fromEntries(
    Object.entries(parsed.registries).map(([host, r]) => [
      host,
      {
        ...(r.credentials ? { credentials: r.credentials } : {}),
        ...(r.tls
          ? {
              tls: {
                ...(r.tls.rootCa ? { ca: read(host, 'root_ca', r.tls.rootCa) } : {}),
                ...(r.tls.clientCert ? { cert: read(host, 'client_cert', r.tls.clientCert) } : {}),
                ...(r.tls.clientKey ? { key: read(host, 'client_key', r.tls.clientKey) } : {}),
              },
            }
          : {}),
      },
    ]),
  );
}

const spec = containerManagementSpec;

const containerdRuntime = (config: ContainerManagementConfig, logger: Logger): ContainerRuntime =>
  createContainerdRuntime({
    socket: config.containerdSocket,
    namespace: config.namespace,
    stateDir: config.homeDir,
    logger,
    insecureRegistries: config.insecureRegistries,
    registries: registriesFromConfig(config.registryConfigurations),
  });

export function createContainerManagementApp(config: ContainerManagementConfig, deps: ContainerManagementDeps) {
  const logger = deps.logger;
  // Checked before anything starts: disagreeing Kanto and Ledge keys are a config error (exit 2).
  const ua = updateAgentSettings(config, { updateAgentEnable: spec.updateAgentEnable.default, updateAgentDomain: spec.updateAgentDomain.default, systemContainers: spec.systemContainers.default, verboseInventoryReport: spec.verboseInventoryReport.default });
  const runtime = (deps.createRuntime ?? containerdRuntime)(config, logger);
  const bus = createLocalBusClient({
    ...localBusClientOptions(config),
    clientId: LOCAL_CLIENT_ID,
    backoff: { initialMs: 1000, maxMs: 5000 },
    logger,
  });
  const cm = createContainerManagement({
    runtime,
    bus,
    homeDir: config.homeDir,
    logger,
    defaultStopTimeoutMs: config.defaultStopTimeout * 1000,
    apiSocket: config.apiSocket,
    ...(ua.enable ? { updateAgent: { domain: ua.domain, systemContainers: ua.systemContainers, verboseInventoryReport: ua.verboseInventoryReport, activationTimeoutMs: ua.activationTimeoutMs } } : {}),
    ...(config.deploymentEnable
      ? { afterRestore: async (manager) => void (await deployDescriptors({ dir: config.deploymentDir, mode: config.deploymentMode as DeploymentMode, manager, logger })) }
      : {}),
  });
  return {
    cm,
    async start() {
      await bus.start();
      await cm.start();
    },
    close: onlyOnce(async () => {
      await cm.close();
      await bus.close();
      await runtime.close();
    }),
  };
}

export const containerManagementEntry: AppEntry<ContainerManagementSpec> = withHealth({
  name: 'container-management',
  summary: 'Ledge container management: runs OCI containers on containerd, managed from the cloud through Ditto (Kanto-compatible)',
  spec: containerManagementSpec,
  create: (config, { logger }) => createContainerManagementApp(config, { logger }),
  // `npm start` runs the update manager too: its containers agent is on there.
  devDefaults: (devDir) => ({
    homeDir: join(devDir, 'container-management'),
    deploymentDir: join(devDir, 'container-management', 'deployment'),
    apiSocket: join(devDir, 'container-management.sock'),
    updateAgentEnable: true,
  }),
  aliases: containerManagementAliases,
});
