// The current state (Kanto update-manager docs/current-state-specification.md, api/types/inventory.go):
// software and hardware nodes with key/value parameters and associations between them. Agents report
// their domain's inventory retained; the manager joins them under the device's own nodes.
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import type { KeyValuePair } from './desired-state';

export const SOFTWARE_TYPES = ['IMAGE', 'RAW', 'DATA', 'APPLICATION', 'CONTAINER'] as const;
export type SoftwareType = (typeof SOFTWARE_TYPES)[number];

export interface InventoryNode {
  readonly id: string;
  readonly version?: string;
  readonly name?: string;
  readonly parameters?: readonly KeyValuePair[];
}

export interface HardwareNode extends InventoryNode {
  readonly addressable?: boolean;
}

export interface SoftwareNode extends InventoryNode {
  readonly type?: SoftwareType;
}

export interface Association {
  readonly sourceId: string;
  readonly targetId: string;
}

export interface Inventory {
  readonly hardwareNodes?: readonly HardwareNode[];
  readonly softwareNodes?: readonly SoftwareNode[];
  readonly associations?: readonly Association[];
}

export type InventoryResult = { readonly ok: true; readonly inventory: Inventory } | ParseFailure;

const MAX_NODES = 4096;

function nodes<T extends InventoryNode>(v: unknown, at: string, problems: string[], extra: (n: Record<string, unknown>) => Partial<T>): T[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > MAX_NODES) return void problems.push(`${at}: not an array of at most ${MAX_NODES} nodes`);
  const out: T[] = [];
  v.forEach((n, i) => {
    if (!isPlainObject(n) || typeof n['id'] !== 'string' || n['id'] === '') return void problems.push(`${at}[${i}]: not a node with an id`);
    const params = n['parameters'];
    const parameters = Array.isArray(params)
      ? params.filter((p): p is KeyValuePair => isPlainObject(p) && typeof p['key'] === 'string' && typeof (p['value'] ?? '') === 'string').map((p) => ({ key: p.key, value: p.value ?? '' }))
      : undefined;
    out.push({
      id: n['id'],
      ...(typeof n['version'] === 'string' ? { version: n['version'] } : {}),
      ...(typeof n['name'] === 'string' ? { name: n['name'] } : {}),
      ...(parameters !== undefined ? { parameters } : {}),
      ...extra(n),
    } as T);
  });
  return out;
}

export function parseInventory(v: unknown, at = 'inventory'): InventoryResult {
  if (!isPlainObject(v)) return parseFailure(`${at}: not an object`);
  const problems: string[] = [];
  const softwareNodes = nodes<SoftwareNode>(v['softwareNodes'], `${at}.softwareNodes`, problems, (n) =>
    typeof n['type'] === 'string' && (SOFTWARE_TYPES as readonly string[]).includes(n['type']) ? { type: n['type'] as SoftwareType } : {},
  );
  const hardwareNodes = nodes<HardwareNode>(v['hardwareNodes'], `${at}.hardwareNodes`, problems, (n) => (typeof n['addressable'] === 'boolean' ? { addressable: n['addressable'] } : {}));
  let associations: Association[] | undefined;
  const a = v['associations'];
  if (a !== undefined) {
    if (!Array.isArray(a) || a.length > MAX_NODES) problems.push(`${at}.associations: not an array of at most ${MAX_NODES}`);
    else associations = a.filter((x): x is Association => isPlainObject(x) && typeof x['sourceId'] === 'string' && typeof x['targetId'] === 'string').map((x) => ({ sourceId: x.sourceId, targetId: x.targetId }));
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    inventory: {
      ...(hardwareNodes !== undefined ? { hardwareNodes } : {}),
      ...(softwareNodes !== undefined ? { softwareNodes } : {}),
      ...(associations !== undefined ? { associations } : {}),
    },
  };
}
