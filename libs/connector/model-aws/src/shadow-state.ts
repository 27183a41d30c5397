// The last known `state.reported` of each shadow of the device (§2.2). A `modify` replaces a subtree in
// Ditto, but a shadow update merges; knowing what AWS holds lets the mapping send null for keys that
// disappeared. Learned from the update/delete `accepted` responses and, optimistically, from our own
// updates (so two quick modifies before the first acceptance still compare against the right state).
import { withDefaults } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import { mergePatch, type JsonObject } from '@ledge/shared/model-ditto';
import { setNewest } from '@ledge/connector/model-twins';

export interface ShadowStateCache {
  /** The last known reported state of a shadow (key: shadowBase()), or undefined. */
  get(shadow: string): JsonObject | undefined;
  /** Applies a reported update with AWS semantics (a JSON merge patch: merge, null deletes). */
  applyReported(shadow: string, reported: unknown): void;
  delete(shadow: string): void;
  readonly size: number;
}

export interface ShadowStateCacheOptions {
  /** Bound on remembered shadows; the least recently updated is forgotten first. */
  readonly maxShadows: number;
}

export const defaultShadowStateCacheOptions: ShadowStateCacheOptions = Object.freeze({ maxShadows: 1024 });

export function createShadowStateCache(options: Partial<ShadowStateCacheOptions> = {}): ShadowStateCache {
  const { maxShadows } = withDefaults(defaultShadowStateCacheOptions, options);
  const shadows = new Map<string, JsonObject>();
  return {
    get: (shadow) => shadows.get(shadow),
    applyReported(shadow, reported) {
      const next = mergePatch(shadows.get(shadow), reported);
      if (isPlainObject(next)) setNewest(shadows, shadow, next, maxShadows);
      else shadows.delete(shadow);
    },
    delete: (shadow) => void shadows.delete(shadow),
    get size() {
      return shadows.size;
    },
  };
}
