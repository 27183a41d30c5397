// `ledge status`'s view of the containers: container management's local API (the one `ledge cm list` uses).
import { capitalise, createCmClient, type ApiContainer } from '@ledge/container-management/feature-cm-cli';
import type { ContainerSummary } from '@ledge/shared/feature-status';

export async function containerSummary(host: string): Promise<ContainerSummary> {
  const body = await createCmClient({ socketPath: host, timeoutMs: 3000 }).json('GET', '/v1/containers');
  const all = Array.isArray(body['containers']) ? (body['containers'] as ApiContainer[]) : [];
  const byState: Record<string, number> = {};
  for (const c of all) {
    const state = capitalise(String(c.state?.status ?? 'unknown'));
    byState[state] = (byState[state] ?? 0) + 1;
  }
  return { total: all.length, byState };
}
