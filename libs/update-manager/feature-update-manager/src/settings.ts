// The merged config as the manager uses it: durations in ms, the agents resolved from either form. The
// spec checked each key; what spans keys is checked here, once, as a ConfigError (exit 2).
import { mqttDomain, type Command } from '@ledge/shared/model-update';
import { parseAgents, parseDurationMs, type AgentSettings, type UpdateManagerSpec } from '@ledge/update-manager/model-update-manager';
import { ConfigError, type ConfigOf, type WithCommon } from '@ledge/shared/util';
import type { OrchestratorOptions } from './orchestrator';

export type UpdateManagerConfig = ConfigOf<WithCommon<UpdateManagerSpec>>;

export interface ManagerSettings {
  readonly domain: string;
  readonly agents: readonly AgentSettings[];
  readonly orchestrator: OrchestratorOptions;
  readonly rebootEnabled: boolean;
  readonly rebootAfterMs: number;
  readonly currentStateDelayMs: number;
  readonly reportFeedbackIntervalMs: number;
}

const ms = (key: keyof UpdateManagerConfig, v: string, allowZero = false): number => {
  const r = parseDurationMs(v, allowZero);
  if (typeof r === 'string') throw new ConfigError(`config key '${key}': ${r}`, { key });
  return r;
};

export function managerSettings(config: UpdateManagerConfig): ManagerSettings {
  const readTimeoutMs = ms('readTimeout', config.readTimeout);
  const parsed = parseAgents(config.agents, { readTimeoutMs, rebootRequired: config.rebootRequired });
  if (!parsed.ok) throw new ConfigError(`config key 'agents': ${parsed.problems.join('; ')}`, { key: 'agents' });
  const own = parsed.agents.find((a) => mqttDomain(a.domain) === mqttDomain(config.domain));
  if (own) throw new ConfigError(`config key 'agents': '${own.domain}' would use the manager's own topics (${mqttDomain(config.domain)}/…, domain '${config.domain}')`, { key: 'agents' });
  const unknown = config.rebootRequired.filter((d) => !parsed.agents.some((a) => a.domain === d));
  if (unknown.length > 0) throw new ConfigError(`config key 'rebootRequired': ${unknown.join(', ')}: not among the agents (${parsed.agents.map((a) => a.domain).join(', ')})`, { key: 'rebootRequired' });
  return {
    domain: config.domain,
    agents: parsed.agents,
    orchestrator: {
      phaseTimeoutMs: ms('phaseTimeout', config.phaseTimeout),
      ownerConsentTimeoutMs: ms('ownerConsentTimeout', config.ownerConsentTimeout),
      ownerConsentCommands: config.ownerConsentCommands as Command[],
      rollbackOnFailure: config.rollbackOnFailure,
    },
    rebootEnabled: config.rebootEnabled,
    rebootAfterMs: ms('rebootAfter', config.rebootAfter),
    currentStateDelayMs: ms('currentStateDelay', config.currentStateDelay, true),
    reportFeedbackIntervalMs: ms('reportFeedbackInterval', config.reportFeedbackInterval, true),
  };
}
