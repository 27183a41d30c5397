// RFC 7396 JSON merge patch, the semantics of Ditto's `merge` command: an object patch is merged key by
// key (`null` removes the key), anything else replaces the target. Depth is bounded by the envelope
// parser's limits (model-ditto parseEnvelope), so the recursion is too.
import { copyObject, getOwn, isJsonObject, setOwn } from './json-value';

/** The target with the patch applied; `null` when the patch removes the target itself. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const out = isJsonObject(target) ? copyObject(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(getOwn(out, key), value));
  }
  return out;
}
