// What `ledge um` prints: feedback as a status line with one indented line per action, the current state
// as the device's inventory tree (the manager's node, each agent's under it, their components under
// those: the associations of docs/current-state-specification.md). Pure.
import type { DesiredStateFeedback, Inventory, InventoryNode, SoftwareNode } from '@ledge/shared/model-update';

export function formatFeedback(fb: DesiredStateFeedback, prefix = ''): string {
  const head = `${prefix}${fb.status}${fb.message ? `: ${fb.message}` : ''}\n`;
  const lines = (fb.actions ?? []).map((a) => {
    const version = a.component.version ? `@${a.component.version}` : '';
    const progress = a.progress !== undefined && a.progress > 0 && a.progress < 100 ? ` ${a.progress}%` : '';
    return `${prefix}  ${a.component.id}${version} ${a.status}${progress}${a.message ? `: ${a.message}` : ''}\n`;
  });
  return head + lines.join('');
}

const describe = (n: InventoryNode & { type?: string }) => [n.id, n.version, n.name && n.name !== n.id ? n.name : undefined, n.type ? `(${n.type})` : undefined].filter(Boolean).join(' ');

export function formatInventory(inv: Inventory): string {
  const nodes = new Map<string, InventoryNode & { type?: SoftwareNode['type'] }>();
  for (const n of [...(inv.softwareNodes ?? []), ...(inv.hardwareNodes ?? [])]) if (!nodes.has(n.id)) nodes.set(n.id, n);
  const children = new Map<string, string[]>();
  const targets = new Set<string>();
  for (const a of inv.associations ?? []) {
    if (!nodes.has(a.sourceId) || !nodes.has(a.targetId)) continue;
    children.set(a.sourceId, [...(children.get(a.sourceId) ?? []), a.targetId]);
    targets.add(a.targetId);
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (id: string, depth: number) => {
    if (seen.has(id)) return; // the spec forbids cycles; a broken report must not loop
    seen.add(id);
    out.push(`${'  '.repeat(depth)}${describe(nodes.get(id)!)}`);
    for (const c of children.get(id) ?? []) walk(c, depth + 1);
  };
  for (const id of nodes.keys()) if (!targets.has(id)) walk(id, 0);
  for (const id of nodes.keys()) walk(id, 0); // whatever only a cycle reaches
  return out.length === 0 ? 'no current state reported\n' : `${out.join('\n')}\n`;
}
