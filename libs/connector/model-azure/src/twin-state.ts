// What the Azure mapping remembers about the device twin, all of it bounded:
// * the last known reported value of each section (from the twin GET response and, optimistically, from
//   our own reported patches), so a Ditto `modify` can send null for keys that disappeared;
// * the requests in flight by `$rid` (twin GET, reported patches), to tell their responses apart;
// * the `$version` of the desired properties last applied, to skip stale desired patches.
import { withDefaults } from '@ledge/shared/util';
import { isPlainObject, mergePatch, type JsonObject } from './json-tree';
import type { TwinSection } from './twin-sections';

export type PendingRequest = { readonly kind: 'get' } | { readonly kind: 'patch'; readonly sections: readonly string[] };

export interface TwinState {
  /** The last known reported value of a section, and the feature it was made from. */
  reported(section: string): (TwinSection & { readonly value: JsonObject }) | undefined;
  /** Sections known for `thingId`. */
  sectionsOf(thingId: string): readonly string[];
  /** Applies a reported patch of one section with IoT Hub's semantics (merge; null removes). */
  applyReported(section: string, owner: TwinSection, patch: unknown): void;
  /** Replaces everything known with the `reported` of a twin GET response. */
  resetReported(sections: ReadonlyMap<string, TwinSection & { readonly value: JsonObject }>): void;
  forgetReported(section: string): void;
  /** The feature a section name was last made from by this mapping. */
  ownerOf(section: string): TwinSection | undefined;

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
  const sections = new Map<string, TwinSection & { value: JsonObject }>();
  const pending = new Map<string, PendingRequest>();
  const bound = <K, V>(m: Map<K, V>, max: number) => {
    while (m.size > max) {
      const oldest = m.keys().next();
      if (oldest.done === true) break;
      m.delete(oldest.value);
    }
  };
  return {
    reported: (section) => sections.get(section),
    sectionsOf: (thingId) => [...sections].filter(([, s]) => s.thingId === thingId).map(([name]) => name),
    applyReported(section, owner, patch) {
      const next = mergePatch(sections.get(section)?.value, patch);
      sections.delete(section);
      if (!isPlainObject(next)) return;
      sections.set(section, { thingId: owner.thingId, featureId: owner.featureId, value: next });
      bound(sections, opts.maxSections);
    },
    resetReported(known) {
      sections.clear();
      for (const [name, s] of known) sections.set(name, { ...s });
      bound(sections, opts.maxSections);
    },
    forgetReported: (section) => void sections.delete(section),
    ownerOf(section) {
      const s = sections.get(section);
      return s === undefined ? undefined : { thingId: s.thingId, featureId: s.featureId };
    },
    addPending(rid, request) {
      pending.delete(rid);
      pending.set(rid, request);
      bound(pending, opts.maxPending);
    },
    takePending(rid) {
      const r = pending.get(rid);
      pending.delete(rid);
      return r;
    },
    desiredVersion: undefined,
  };
}
