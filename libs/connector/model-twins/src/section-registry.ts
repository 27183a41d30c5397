// The sections a cloud mapping named itself (AWS named shadows, Azure twin sections). Reading a section
// name back is ambiguous once IDs contain ':' (`edge:containers:F` may be a gateway feature), so a name
// the mapping made wins over the default reading (sections.ts) for as long as it is remembered; the
// bound forgets the least recently named first.
import { withDefaults } from '@ledge/shared/util';
import { setNewest } from './bounded-map';
import { DEFAULT_CHILD_SUFFIXES, parseTwinSectionName, type TwinSection } from './sections';

export interface TwinSectionRegistry {
  /** Remembers which section `name` was made from (most recent last). */
  remember(name: string, section: TwinSection): void;
  /** The remembered section of `name`, or undefined. */
  recall(name: string): TwinSection | undefined;
  /** The remembered section of `name`, else the default reading (undefined: the classic section). */
  resolve(deviceId: string, name: string | undefined): TwinSection;
  /** Remembered sections, oldest first. */
  entries(): readonly TwinSection[];
}

export interface TwinSectionRegistryOptions {
  /** Bound on remembered names; the least recently named is forgotten first. */
  readonly maxSections: number;
  /** Child suffixes of the default reading. */
  readonly childSuffixes: readonly string[];
}

export const defaultTwinSectionRegistryOptions: TwinSectionRegistryOptions = Object.freeze({ maxSections: 1024, childSuffixes: DEFAULT_CHILD_SUFFIXES });

export function createTwinSectionRegistry(options: Partial<TwinSectionRegistryOptions> = {}): TwinSectionRegistry {
  const { maxSections, childSuffixes } = withDefaults(defaultTwinSectionRegistryOptions, options);
  const sections = new Map<string, TwinSection>();
  return {
    remember: (name, section) => setNewest(sections, name, section, maxSections),
    recall: (name) => sections.get(name),
    resolve: (deviceId, name) => (name === undefined ? undefined : sections.get(name)) ?? parseTwinSectionName(deviceId, name, { childSuffixes }),
    entries: () => [...sections.values()],
  };
}
