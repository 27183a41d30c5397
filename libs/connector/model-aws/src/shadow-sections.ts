// Which Device Shadow holds which part of a twin (§2.2, Kanto's aws-connector naming): the gateway's
// attributes ↔ the classic shadow; gateway feature F ↔ named shadow `F`; child `<deviceId>:<c>`
// attributes ↔ `<c>`; child feature F ↔ `<c>:F`. Going back from a name is ambiguous once IDs contain
// ':' (`edge:containers:F` could be a gateway feature), so the mapping remembers the sections it named
// itself and only falls back to the default rule (`edge:containers` is the only child) for names it
// never saw.
import { withDefaults } from '@ledge/shared/util';

/** A part of a twin that one shadow holds: a thing's attributes (no featureId) or one feature. */
export interface ShadowSection {
  readonly thingId: string;
  readonly featureId?: string;
}

/** The container-management child thing's suffix (`<deviceId>:edge:containers`, spec §0). */
export const CONTAINERS_CHILD = 'edge:containers';

/** AWS IoT shadow names: letters, digits, `:`, `_`, `-`, at most 64 bytes (AWS IoT "Device Shadow service"). */
const SHADOW_NAME = /^[a-zA-Z0-9:_-]{1,64}$/;

export function isValidShadowName(name: string): boolean {
  return SHADOW_NAME.test(name);
}

/**
 * The shadow name of a section of `thingId` (the gateway or a `<deviceId>:` child); `null` is the classic
 * shadow (the gateway's attributes); undefined when `thingId` is neither the gateway nor its child.
 */
export function shadowSectionName(deviceId: string, thingId: string, featureId?: string): string | null | undefined {
  if (thingId === deviceId) return featureId ?? null;
  if (!thingId.startsWith(`${deviceId}:`)) return undefined;
  const child = thingId.slice(deviceId.length + 1);
  return featureId === undefined ? child : `${child}:${featureId}`;
}

/** The default reading of a shadow name (`null`: the classic shadow) when the mapping never named it. */
export function parseShadowSectionName(deviceId: string, name: string | null): ShadowSection {
  if (name === null) return { thingId: deviceId };
  if (name === CONTAINERS_CHILD) return { thingId: `${deviceId}:${CONTAINERS_CHILD}` };
  if (name.startsWith(`${CONTAINERS_CHILD}:`)) return { thingId: `${deviceId}:${CONTAINERS_CHILD}`, featureId: name.slice(CONTAINERS_CHILD.length + 1) };
  return { thingId: deviceId, featureId: name };
}

export interface ShadowSectionRegistry {
  /** Remembers which section a shadow name was made from (most recent last). */
  remember(name: string, section: ShadowSection): void;
  /** The remembered section of `name`, else the default reading. */
  resolve(deviceId: string, name: string | null): ShadowSection;
  /** Remembered sections, oldest first. */
  entries(): readonly ShadowSection[];
}

export interface ShadowSectionRegistryOptions {
  /** Bound on remembered names; the least recently named is forgotten first. */
  readonly maxSections: number;
}

export const defaultShadowSectionRegistryOptions: ShadowSectionRegistryOptions = Object.freeze({ maxSections: 1024 });

export function createShadowSectionRegistry(options: Partial<ShadowSectionRegistryOptions> = {}): ShadowSectionRegistry {
  const { maxSections } = withDefaults(defaultShadowSectionRegistryOptions, options);
  const sections = new Map<string, ShadowSection>();
  return {
    remember(name, section) {
      sections.delete(name);
      sections.set(name, section);
      while (sections.size > maxSections) {
        const oldest = sections.keys().next().value;
        if (oldest === undefined) break;
        sections.delete(oldest);
      }
    },
    resolve: (deviceId, name) => (name === null ? undefined : sections.get(name)) ?? parseShadowSectionName(deviceId, name),
    entries: () => [...sections.values()],
  };
}
