// Whether a desired state can be applied by these agents. Kanto skips a domain without an agent with a
// warning in its log and fails only when no domain is left ("does not contain any supported domain"); the
// backend then never learns that part of its desired state was dropped. Ledge refuses the whole desired
// state, naming each field and what is wrong with it (issue 18).
import { parseDesiredState, type DesiredStateResult } from '@ledge/shared/model-update';

export function applicableDesiredState(v: unknown, agents: readonly string[], at = 'desiredState'): DesiredStateResult {
  const parsed = parseDesiredState(v, at);
  if (!parsed.ok) return parsed;
  const known = agents.join(', ');
  const problems: string[] = [];
  const domains = parsed.desiredState.domains;
  if (domains.length === 0) problems.push(`${at}.domains: empty; name at least one domain (agents here: ${known})`);
  domains.forEach((d, i) => {
    if (!agents.includes(d.id)) problems.push(`${at}.domains[${i}].id: no update agent for domain '${d.id}' (agents here: ${known})`);
  });
  return problems.length > 0 ? { ok: false, problems } : parsed;
}
