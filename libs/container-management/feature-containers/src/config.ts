// container-management's config schema (Kanto §4.1 keys that matter here, camelCase). The README
// table is generated from it (configTable('container-management', containerManagementSpec)).
import { isDomainId } from '@ledge/shared/model-update';
import { defineConfig, localBusSpec } from '@ledge/shared/util';
import { kantoUpdateAgentProblem } from './update-agent/settings';

/** containerd's identifier rule (identifiers.Validate): alphanumerics joined by single '.', '_' or '-', at most 76. */
const namespaceProblem = (v: unknown) =>
  typeof v === 'string' && v.length <= 76 && /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/.test(v) ? undefined : "must be a containerd namespace: letters and digits joined by single '.', '_' or '-', at most 76 characters";

export const containerManagementSpec = defineConfig({
  containerdSocket: { type: 'string', default: '/run/containerd/containerd.sock', describe: 'containerd gRPC socket' },
  namespace: { type: 'string', default: 'ledge', describe: 'containerd namespace of Ledge containers', validate: namespaceProblem },
  homeDir: { type: 'string', default: '/var/lib/ledge/container-management', describe: 'state: containers/<id>/config.json records, logs, runtime state' },
  registryConfigurations: {
    type: 'json',
    default: {} as Record<string, unknown>,
    describe:
      'per registry host[:port], Kanto\'s shape: {"<host>":{"credentials":{"user_id":"…","password":"…"},"transport":{"root_ca":"<PEM file>","client_cert":"<file>","client_key":"<file>"}}}',
  },
  insecureRegistries: { type: 'string[]', default: ['localhost'] as string[], describe: 'registries (host[:port]) reached over plain HTTP / unverified TLS' },
  defaultStopTimeout: { type: 'number', default: 30, describe: 'seconds a stop waits before SIGKILL', min: 0 },
  deploymentEnable: { type: 'boolean', default: true, describe: 'create containers from descriptor files in deploymentDir on start' },
  deploymentMode: { type: 'string', default: 'update', describe: 'init: only when no containers exist; update: create new, recreate changed (never removes)', choices: ['init', 'update'] },
  deploymentDir: { type: 'string', default: '/etc/ledge/containers', describe: 'directory of *.json container descriptors (Kanto §4.2)' },
  apiSocket: { type: 'string', default: '/run/ledge/container-management.sock', describe: 'unix socket of the local API for `ledge cm` (mode 0600); empty disables it' },
  // The containers update agent (issue 18; Kanto's update_agent section, off by default as there).
  updateAgentEnable: { type: 'boolean', default: false, describe: "run the containers update agent: the update manager's agent for the containers domain on the local bus" },
  updateAgentDomain: {
    type: 'string',
    default: 'containers',
    describe: "the agent's domain: topics <domain without '-'>update/… (containers → containersupdate/desiredstate)",
    validate: (v: unknown) => (typeof v === 'string' && isDomainId(v) ? undefined : "must be a domain id: letters, digits, '.', '_', '-'"),
  },
  systemContainers: { type: 'string[]', default: [] as string[], describe: 'names of containers the update agent never changes nor removes (a desired state may replace the list with its domain key systemContainers)' },
  verboseInventoryReport: { type: 'boolean', default: false, describe: "the agent's current state lists every container parameter, defaults included" },
  updateAgentActivationTimeout: { type: 'number', default: 60, min: 1, describe: 'seconds ACTIVATE waits for the new and changed containers to run (and be healthy, with a health check) before ACTIVATION_FAILURE' },
  kantoUpdateAgent: {
    type: 'json',
    default: {} as Record<string, unknown>,
    describe: 'Kanto\'s form of the update agent keys: {"enable":true,"domain":"containers","system_containers":[…],"verbose_inventory_report":false}; a field set here and in its own key must agree',
    validate: kantoUpdateAgentProblem,
  },
  ...localBusSpec,
});

export type ContainerManagementSpec = typeof containerManagementSpec;

/** Kanto's names of container management's keys: the update agent's flags and config section. */
export const containerManagementAliases = Object.freeze({
  'ua-enable': 'updateAgentEnable',
  'ua-domain': 'updateAgentDomain',
  'ua-system-containers': 'systemContainers',
  'ua-verbose-inventory-report': 'verboseInventoryReport',
  update_agent: 'kantoUpdateAgent',
} as const satisfies Record<string, keyof ContainerManagementSpec>);
