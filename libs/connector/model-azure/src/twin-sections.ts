// Which twin property (a "section" of `properties.desired` / `properties.reported`) holds which Ditto
// feature — Kanto's AWS shadow naming, reused for IoT Hub: gateway feature F ↔ `F`; feature F of the
// child thing `<deviceId>:<c>` ↔ `<c>:F` (in practice `edge:containers:F`). Back from a name the rule is
// ambiguous once IDs contain ':', so names the mapping made itself win (twin-state.ts remembers them)
// and otherwise `edge:containers` is the only child. Same rule as model-twins' twinSectionName.

/** The container-management child thing's suffix (`<deviceId>:edge:containers`, spec §0). */
export const CONTAINERS_CHILD = 'edge:containers';

export interface TwinSection {
  readonly thingId: string;
  readonly featureId: string;
}

/** The section name of feature `featureId` of `thingId` (the gateway or a `<deviceId>:` child); undefined for other things. */
export function twinSectionName(deviceId: string, thingId: string, featureId: string): string | undefined {
  if (thingId === deviceId) return featureId;
  if (!thingId.startsWith(`${deviceId}:`) || thingId.length === deviceId.length + 1) return undefined;
  return `${thingId.slice(deviceId.length + 1)}:${featureId}`;
}

/** The default reading of a section name; undefined when it names no usable feature (or the child's attributes). */
export function parseTwinSectionName(deviceId: string, name: string): TwinSection | undefined {
  // `edge:containers` alone is the child's attributes section (AWS naming): no feature.
  if (name === CONTAINERS_CHILD) return undefined;
  const prefix = `${CONTAINERS_CHILD}:`;
  const section = name.startsWith(prefix)
    ? { thingId: `${deviceId}:${CONTAINERS_CHILD}`, featureId: name.slice(prefix.length) }
    : { thingId: deviceId, featureId: name };
  return isFeatureId(section.featureId) ? section : undefined;
}

/** A Ditto feature ID that can be a path segment: non-empty, no '/', no control characters, ≤ 256 characters. */
export function isFeatureId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && !/[/\u0000-\u001f\u007f]/.test(id);
}
