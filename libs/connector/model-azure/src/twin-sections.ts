// Which twin property (a "section" of `properties.desired` / `properties.reported`) holds which Ditto
// feature: model-twins' section names (Kanto's AWS shadow naming), reused for IoT Hub — gateway feature F
// ↔ `F`; feature F of the child thing `<deviceId>:<c>` ↔ `<c>:F` (in practice `edge:containers:F`).
// Back from a name the rule is ambiguous once IDs contain ':', so names the mapping made itself win
// (twin-state.ts remembers them); otherwise model-twins' reading applies. IoT Hub only has feature
// sections here: attributes sections (the classic one, `edge:containers` alone) name no feature.
import { EDGE_CONTAINERS_SUFFIX } from '@ledge/shared/model-ditto';
import { parseTwinSectionName as parseSection, twinSectionName as sectionName } from '@ledge/connector/model-twins';

/** The container-management child thing's suffix (`<deviceId>:edge:containers`, spec §0). */
export const CONTAINERS_CHILD = EDGE_CONTAINERS_SUFFIX.slice(1);

export interface TwinSection {
  readonly thingId: string;
  readonly featureId: string;
}

/** The section name of feature `featureId` of `thingId` (the gateway or a `<deviceId>:` child); undefined for other things. */
export function twinSectionName(deviceId: string, thingId: string, featureId: string): string | undefined {
  const r = sectionName(deviceId, thingId, featureId);
  return r.ok ? r.name : undefined;
}

/** The default reading of a section name; undefined when it names no usable feature (or attributes). */
export function parseTwinSectionName(deviceId: string, name: string): TwinSection | undefined {
  const section = parseSection(deviceId, name);
  return section.featureId !== undefined && isFeatureId(section.featureId) ? { thingId: section.thingId, featureId: section.featureId } : undefined;
}

/** A Ditto feature ID that can be a path segment: non-empty, no '/', no control characters, ≤ 256 characters. */
export function isFeatureId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && !/[/\u0000-\u001f\u007f]/.test(id);
}
