// The resources of a Thing a twin command or an HTTP GET addresses (Ditto protocol §things, HTTP API 2):
// `/`, `/attributes[/<ptr>]`, `/definition`, `/policyId`, `/features`, `/features/<f>`,
// `/features/<f>/definition`, `/features/<f>/properties[/<ptr>]`, `/features/<f>/desiredProperties[/<ptr>]`.
import { formatPointer } from '@ledge/shared/model-ditto';

export type TwinAddress =
  | { readonly kind: 'thing' }
  | { readonly kind: 'attributes'; readonly pointer: readonly string[] }
  | { readonly kind: 'definition' }
  | { readonly kind: 'policyId' }
  | { readonly kind: 'features' }
  | { readonly kind: 'feature'; readonly featureId: string }
  | { readonly kind: 'featureDefinition'; readonly featureId: string }
  | { readonly kind: 'properties'; readonly featureId: string; readonly desired: boolean; readonly pointer: readonly string[] };

export type TwinAddressResult = { readonly ok: true; readonly address: TwinAddress } | { readonly ok: false; readonly problem: string };

/** Unescaped pointer segments → the resource, or why it is none Ditto has. */
export function twinAddress(segments: readonly string[]): TwinAddressResult {
  const ok = (address: TwinAddress): TwinAddressResult => ({ ok: true, address });
  const [root, second, third, ...rest] = segments;
  const where = formatPointer(segments);
  if (root === undefined) return ok({ kind: 'thing' });
  if (root === 'attributes') return ok({ kind: 'attributes', pointer: segments.slice(1) });
  if (root === 'definition' && second === undefined) return ok({ kind: 'definition' });
  if (root === 'policyId' && second === undefined) return ok({ kind: 'policyId' });
  if (root === 'features') {
    if (second === undefined) return ok({ kind: 'features' });
    if (third === undefined) return ok({ kind: 'feature', featureId: second });
    if (third === 'definition' && rest.length === 0) return ok({ kind: 'featureDefinition', featureId: second });
    if (third === 'properties' || third === 'desiredProperties') return ok({ kind: 'properties', featureId: second, desired: third === 'desiredProperties', pointer: rest });
  }
  return { ok: false, problem: `"${where}" is not a resource of a Thing` };
}

/** Where the resource lives inside the Thing's JSON. */
export function addressSegments(address: TwinAddress): readonly string[] {
  switch (address.kind) {
    case 'thing':
      return [];
    case 'attributes':
      return ['attributes', ...address.pointer];
    case 'definition':
    case 'policyId':
    case 'features':
      return [address.kind];
    case 'feature':
      return ['features', address.featureId];
    case 'featureDefinition':
      return ['features', address.featureId, 'definition'];
    case 'properties':
      return ['features', address.featureId, address.desired ? 'desiredProperties' : 'properties', ...address.pointer];
  }
}
