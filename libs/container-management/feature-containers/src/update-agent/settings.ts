// The update agent's settings from container management's config: the flat keys (updateAgentEnable, …,
// Kanto's flags --ua-enable, --ua-domain, --ua-system-containers, --ua-verbose-inventory-report as aliases)
// and Kanto's config-file form `"update_agent": {"enable", "domain", "system_containers",
// "verbose_inventory_report"}` (containerm/daemon daemon_config.go), which sets the same things. A field
// set both ways to different values is a config error naming both.
import { isDomainId } from '@ledge/shared/model-update';
import { ConfigError } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';

export interface UpdateAgentSettings {
  readonly enable: boolean;
  readonly domain: string;
  readonly systemContainers: readonly string[];
  readonly verboseInventoryReport: boolean;
  readonly activationTimeoutMs: number;
}

export interface UpdateAgentConfigKeys {
  readonly updateAgentEnable: boolean;
  readonly updateAgentDomain: string;
  readonly systemContainers: readonly string[];
  readonly verboseInventoryReport: boolean;
  readonly updateAgentActivationTimeout: number;
  readonly kantoUpdateAgent: Record<string, unknown>;
}

/** Kanto's field → the flat key, with the check of its value. */
const FIELDS = {
  enable: { key: 'updateAgentEnable', ok: (v: unknown) => typeof v === 'boolean', want: 'true or false' },
  domain: { key: 'updateAgentDomain', ok: (v: unknown) => typeof v === 'string' && isDomainId(v), want: "a domain id (letters, digits, '.', '_', '-')" },
  system_containers: { key: 'systemContainers', ok: (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string'), want: 'a list of container names' },
  verbose_inventory_report: { key: 'verboseInventoryReport', ok: (v: unknown) => typeof v === 'boolean', want: 'true or false' },
} as const satisfies Record<string, { key: keyof UpdateAgentConfigKeys; ok: (v: unknown) => boolean; want: string }>;

/** For the spec's validate: what is wrong with a `update_agent` object, or undefined. */
export function kantoUpdateAgentProblem(v: unknown): string | undefined {
  if (!isPlainObject(v)) return 'must be an object like {"enable": true, "domain": "containers", "system_containers": [], "verbose_inventory_report": false}';
  for (const [field, value] of Object.entries(v)) {
    const f = FIELDS[field as keyof typeof FIELDS];
    if (f === undefined) return `unknown field '${field}' (known: ${Object.keys(FIELDS).join(', ')})`;
    if (!f.ok(value)) return `'${field}' must be ${f.want}`;
  }
  return undefined;
}

/** The merged settings; `defaults` are the flat keys' defaults, to tell a key the user set. */
export function updateAgentSettings(c: UpdateAgentConfigKeys, defaults: Omit<UpdateAgentConfigKeys, 'kantoUpdateAgent' | 'updateAgentActivationTimeout'>): UpdateAgentSettings {
  const flat: Record<string, unknown> = { ...c };
  for (const [field, value] of Object.entries(c.kantoUpdateAgent)) {
    const f = FIELDS[field as keyof typeof FIELDS];
    if (f === undefined) continue; // refused by validate at load
    const given = flat[f.key];
    const isDefault = JSON.stringify(given) === JSON.stringify(defaults[f.key as keyof typeof defaults]);
    if (!isDefault && JSON.stringify(given) !== JSON.stringify(value)) {
      throw new ConfigError(`config keys '${f.key}' and 'update_agent.${field}' (Kanto's form) disagree: keep one`, { key: f.key });
    }
    flat[f.key] = value;
  }
  return {
    enable: flat['updateAgentEnable'] as boolean,
    domain: flat['updateAgentDomain'] as string,
    systemContainers: flat['systemContainers'] as readonly string[],
    verboseInventoryReport: flat['verboseInventoryReport'] as boolean,
    activationTimeoutMs: c.updateAgentActivationTimeout * 1000,
  };
}
