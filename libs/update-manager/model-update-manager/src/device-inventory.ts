// The device's current state as the manager reports it (Kanto update-manager
// updatem/orchestration/update_manager_inventory.go, docs/current-state-specification.md "Device
// Inventory Graph"): the manager's own software node at the root, every agent's nodes under it, and an
// association from the manager to each domain's root node (its APPLICATION node whose `domain` parameter
// names the domain, else its first software node), followed by the domain's own associations.
import type { Association, HardwareNode, Inventory, SoftwareNode } from '@ledge/shared/model-update';

export const UPDATE_MANAGER_NODE_NAME = 'Update Manager';

/** `<domain>-update-manager`, type APPLICATION, as Kanto names it. */
export function managerNode(domain: string, version: string): SoftwareNode {
  return { id: `${domain}-update-manager`, version, name: UPDATE_MANAGER_NODE_NAME, type: 'APPLICATION' };
}

function domainRoot(domain: string, inventory: Inventory): SoftwareNode | undefined {
  const nodes = inventory.softwareNodes ?? [];
  return nodes.find((n) => n.type === 'APPLICATION' && (n.parameters ?? []).some((p) => p.key === 'domain' && p.value === domain)) ?? nodes[0];
}

/** Joins the agents' inventories, in the given order (the configured agents'), under the manager's node. */
export function deviceInventory(manager: SoftwareNode, domains: ReadonlyArray<readonly [string, Inventory]>): Inventory {
  const softwareNodes: SoftwareNode[] = [manager];
  const hardwareNodes: HardwareNode[] = [];
  const associations: Association[] = [];
  for (const [domain, inventory] of domains) {
    hardwareNodes.push(...(inventory.hardwareNodes ?? []));
    softwareNodes.push(...(inventory.softwareNodes ?? []));
    const root = domainRoot(domain, inventory);
    if (root === undefined) continue;
    associations.push({ sourceId: manager.id, targetId: root.id }, ...(inventory.associations ?? []));
  }
  return {
    ...(hardwareNodes.length > 0 ? { hardwareNodes } : {}),
    softwareNodes,
    ...(associations.length > 0 ? { associations } : {}),
  };
}
