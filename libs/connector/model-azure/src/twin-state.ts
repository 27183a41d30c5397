// What the Azure mapping remembers about the device twin, all of it bounded:
// * the last known reported value of each section (from the twin GET response and, optimistically, from
//   our own reported patches), so a Ditto `modify` can send null for keys that disappeared;
// * the feature each section name the mapping made was made from (model-twins' section registry), so
//   the hub's desired patches are read back as the same feature;
// * the requests in flight by `$rid` (twin GET, reported patches), to tell their responses apart;
// * the `$version` of the desired properties last applied, to skip stale desired patches.
import { withDefaults } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import { mergePatch, type JsonObject } from '@ledge/shared/model-ditto';
import { createTwinSectionRegistry, setNewest, trimOldest, type TwinSectionRegistry } from '@ledge/connector/model-twins';
import type { KnownTwin } from '@ledge/connector/model-connector';
import type { FeatureSection } from './twin-sections';

/** A twin request awaiting its response: a GET (with the features the gateway knew when it was sent) or a reported patch. */
export type PendingRequest = { readonly kind: 'get'; readonly known: readonly KnownTwin[] } | { readonly kind: 'patch'; readonly sections: readonly string[] };

export interface TwinState {
  /** The last known reported value of a section, and the feature it was made from. */
  reported(section: string): (FeatureSection & { readonly value: JsonObject }) | undefined;
  /** Sections known for `thingId`. */
  sectionsOf(thingId: string): readonly string[];
  /** Applies a reported patch of one section with IoT Hub's semantics (merge; null removes). */
  applyReported(section: string, owner: FeatureSection, patch: unknown): void;
  /** Replaces everything known with the `reported` of a twin GET response. */
  resetReported(sections: ReadonlyMap<string, FeatureSection & { readonly value: JsonObject }>): void;
  forgetReported(section: string): void;
  /** The sections this mapping named (remembered by applyReported), bounded like the reported values. */
  readonly named: Pick<TwinSectionRegistry, 'recall' | 'entries'>;

  addPending(rid: string, request: PendingRequest): void;
  /** Removes and returns the request `rid` answers. */
  takePending(rid: string): PendingRequest | undefined;

  /** `$version` of the desired properties last applied; undefined before the first. */
  desiredVersion: number | undefined;
}

export interface TwinStateOptions {
  /** Bound on remembered sections; the least recently updated is forgotten first. */
  readonly maxSections: number;
  /** Bound on requests awaiting a response; the oldest is forgotten first (its response is then dropped). */
  readonly maxPending: number;
}

export const defaultTwinStateOptions: TwinStateOptions = Object.freeze({ maxSections: 1024, maxPending: 256 });

export function createTwinState(options: Partial<TwinStateOptions> = {}): TwinState {
  const opts = withDefaults(defaultTwinStateOptions, options);
  const sections = new Map<string, FeatureSection & { value: JsonObject }>();
  const pending = new Map<string, PendingRequest>();
  const named = createTwinSectionRegistry({ maxSections: opts.maxSections });
  return {
    reported: (section) => sections.get(section),
    sectionsOf: (thingId) => [...sections].filter(([, s]) => s.thingId === thingId).map(([name]) => name),
    applyReported(section, owner, patch) {
      named.remember(section, { thingId: owner.thingId, featureId: owner.featureId });
      const next = mergePatch(sections.get(section)?.value, patch);
      if (isPlainObject(next)) setNewest(sections, section, { thingId: owner.thingId, featureId: owner.featureId, value: next }, opts.maxSections);
      else sections.delete(section);
    },
    resetReported(known) {
      sections.clear();
      for (const [name, s] of known) sections.set(name, { ...s });
      trimOldest(sections, opts.maxSections);
    },
    forgetReported: (section) => void sections.delete(section),
    named,
    addPending: (rid, request) => setNewest(pending, rid, request, opts.maxPending),
    takePending(rid) {
      const r = pending.get(rid);
      pending.delete(rid);
      return r;
    },
    desiredVersion: undefined,
  };
}
