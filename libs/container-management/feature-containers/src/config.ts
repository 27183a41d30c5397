// container-management's config schema (Kanto §4.1 keys that matter here, camelCase). The README
// table is generated from it (configTable('container-management', containerManagementSpec)).
import { defineConfig, localBusSpec } from '@ledge/util';

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
  ...localBusSpec,
});

export type ContainerManagementSpec = typeof containerManagementSpec;
