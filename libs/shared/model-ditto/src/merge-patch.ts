// RFC 7396 JSON merge patch, the semantics of Ditto's `merge` command, of an AWS shadow update (AWS IoT
// "Device Shadow service documents": a null value deletes the property) and of an IoT Hub twin patch: an
// object patch is merged key by key (`null` removes the key), anything else (arrays included) replaces the
// target. Pure: the target is not changed. Depth is bounded by the patch, which callers check beforehand
// (parseEnvelope's limits, the dev cloud's twin store limits), so the recursion is too.
import { copyObject, getOwn, isJsonObject, setOwn } from './json-value';

/** RFC 7396 §2 MergePatch(target, patch): the target with the patch applied; `null` when the patch is `null`. */
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

/**
 * The merge patch that replaces `previous` by `next`: `next` with `null` for every key of `previous` that
 * `next` no longer has, recursively where both are objects. A Ditto modify replaces a subtree, but AWS
 * shadows and IoT Hub reported properties take merge patches, so they only forget a key told to be null.
 */
export function withRemovedAsNull(previous: unknown, next: unknown): unknown {
  if (!isJsonObject(previous) || !isJsonObject(next)) return next;
  const out = copyObject(next);
  for (const key of Object.keys(previous)) setOwn(out, key, Object.hasOwn(next, key) ? withRemovedAsNull(previous[key], next[key]) : null);
  return out;
}
