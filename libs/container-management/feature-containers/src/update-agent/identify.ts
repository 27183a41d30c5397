// IDENTIFYING: a desired-state payload and the containers there are now → the actions, or every problem
// found (the update is then refused with all of them at once). Pure.
import { configValue, desiredStateForDomain, parseDesiredState } from '@ledge/shared/model-update';
import { classify, type CurrentContainer, type DesiredContainer, type PlannedAction } from './classify';
import { componentToConfig } from './component-config';

export interface IdentifyInput {
  readonly payload: unknown;
  readonly domain: string;
  /** From the agent's config; a `systemContainers` key in the domain's config replaces it (as in Kanto). */
  readonly systemContainers: readonly string[];
  readonly current: readonly CurrentContainer[];
}

export type IdentifyResult = { ok: true; actions: PlannedAction[] } | { ok: false; problems: readonly string[] };

/** Kanto's domain-level key: comma-separated container names. */
export const SYSTEM_CONTAINERS_KEY = 'systemContainers';

export function identify(input: IdentifyInput): IdentifyResult {
  const parsed = parseDesiredState(input.payload);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const slice = desiredStateForDomain(parsed.desiredState, input.domain);
  const domain = slice?.domains[0];
  if (domain === undefined) return { ok: false, problems: [`desiredState.domains: no domain '${input.domain}' (this agent's domain)`] };
  const listed = configValue(domain.config, SYSTEM_CONTAINERS_KEY);
  const systemContainers = listed === undefined ? input.systemContainers : listed.split(',').map((s) => s.trim()).filter((s) => s !== '');

  const problems: string[] = [];
  const desired: DesiredContainer[] = [];
  for (const c of domain.components ?? []) {
    const r = componentToConfig(c, input.domain);
    if (r.ok) desired.push({ name: c.id, version: c.version, config: r.config });
    else problems.push(...r.problems);
  }
  if (problems.length > 0) return { ok: false, problems };
  return classify({ domain: input.domain, desired, current: input.current, systemContainers });
}
