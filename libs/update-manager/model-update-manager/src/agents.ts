// The update agents the manager orchestrates (Kanto update-manager config/config_internal.go, api
// UpdateManagerConfig): one per domain, with whether its updates need a reboot and how long the manager
// waits for its first answer. Ledge takes a list of domains (`["containers"]`) or Kanto's map
// (`{"containers": {"rebootRequired": false, "readTimeout": "30s"}}`, resources/config.json).
import { isDomainId, mqttDomain } from '@ledge/shared/model-update';
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { parseDurationMs } from './durations';

export interface AgentSettings {
  /** The agent's domain id (`containers`); its topics are `<mqtt domain>/…` (`containersupdate/…`). */
  readonly domain: string;
  /** A completed activity with actions in this domain reboots the device (when rebootEnabled). */
  readonly rebootRequired: boolean;
  /** How long identification waits for this agent's first feedback, and a current-state get for its answer. */
  readonly readTimeoutMs: number;
}

export type AgentsResult = { readonly ok: true; readonly agents: readonly AgentSettings[] } | ParseFailure;

export interface AgentDefaults {
  readonly readTimeoutMs: number;
  /** Domains that require a reboot (the `rebootRequired` key), for the list form. */
  readonly rebootRequired?: readonly string[];
}

export const MAX_AGENTS = 64;

/** Parses `agents` in either form; problems name the entry (`agents.containers.readTimeout: …`). */
export function parseAgents(value: unknown, defaults: AgentDefaults, at = 'agents'): AgentsResult {
  const reboot = new Set(defaults.rebootRequired ?? []);
  const problems: string[] = [];
  const agents: AgentSettings[] = [];
  const add = (domain: string, here: string, rebootRequired: boolean, readTimeoutMs: number) => {
    if (!isDomainId(domain)) return void problems.push(`${here}: '${domain}' is not a domain id (letters, digits, '.', '_', '-')`);
    const clash = agents.find((a) => mqttDomain(a.domain) === mqttDomain(domain));
    if (clash) return void problems.push(`${here}: '${domain}' uses the topics of '${clash.domain}' (${mqttDomain(domain)}/…)`);
    agents.push({ domain, rebootRequired: rebootRequired || reboot.has(domain), readTimeoutMs });
  };
  if (Array.isArray(value)) {
    value.forEach((d, i) => (typeof d === 'string' ? add(d, `${at}[${i}]`, false, defaults.readTimeoutMs) : problems.push(`${at}[${i}]: not a domain name`)));
  } else if (isPlainObject(value)) {
    for (const [domain, settings] of Object.entries(value)) {
      const here = `${at}.${domain}`;
      if (settings === null || settings === undefined) {
        add(domain, here, false, defaults.readTimeoutMs);
        continue;
      }
      if (!isPlainObject(settings)) {
        problems.push(`${here}: not an object with rebootRequired and readTimeout`);
        continue;
      }
      for (const k of Object.keys(settings)) if (k !== 'rebootRequired' && k !== 'readTimeout') problems.push(`${here}: unknown key '${k}' (known: rebootRequired, readTimeout)`);
      const rr = settings['rebootRequired'] ?? false;
      if (typeof rr !== 'boolean') problems.push(`${here}.rebootRequired: not true or false`);
      const rt = settings['readTimeout'];
      const ms = rt === undefined || rt === '' ? defaults.readTimeoutMs : parseDurationMs(rt, false);
      if (typeof ms === 'string') problems.push(`${here}.readTimeout: ${ms}`);
      add(domain, here, rr === true, typeof ms === 'number' ? ms : defaults.readTimeoutMs);
    }
  } else {
    return parseFailure(`${at}: a list of domains (["containers"]) or Kanto's map ({"containers": {"rebootRequired": false}})`);
  }
  if (problems.length === 0 && agents.length === 0) problems.push(`${at}: no agent; name at least one domain, e.g. ["containers"]`);
  if (agents.length > MAX_AGENTS) problems.push(`${at}: more than ${MAX_AGENTS} agents`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, agents };
}
