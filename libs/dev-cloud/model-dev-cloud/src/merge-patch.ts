// JSON merge patch (RFC 7396), Ditto's `merge` command: objects merge key by key, `null` removes a key, any
// other value (arrays included) replaces. Pure; the target is not changed.
import { isJsonObject, withKey } from './json-pointer';

/** RFC 7396 §2 MergePatch(target, patch). Depth is bounded by the patch, which callers check beforehand. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  let result: Record<string, unknown> = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (Object.hasOwn(result, key)) {
        result = { ...result };
        delete result[key];
      }
    } else {
      result = withKey(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
    }
  }
  return result;
}

/** The patch with its `null`s applied to nothing: what a merge leaves where there was no value before. */
export function stripNulls(patch: unknown): unknown {
  return applyMergePatch(undefined, patch);
}
