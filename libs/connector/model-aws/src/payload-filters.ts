// Kanto's payloadFilters and topicFilter for shadow updates (§2.2): regexes over the leaves of a
// re-nested command value and over Ditto topics. The JSON helpers themselves live in model-twins.
import { isPlainObject } from '@ledge/shared/util-parse';
import { setOwn, type JsonObject } from '@ledge/shared/model-ditto';

/**
 * Removes every leaf whose JSON-pointer-like path (`/features/X/properties/y`, array indices as numbers)
 * matches one of `filters`; containers left empty are removed too (as Kanto's payloadFilters). Returns
 * undefined when nothing is left.
 */
export function filterLeaves(value: unknown, filters: readonly RegExp[], path = ''): unknown {
  if (filters.length === 0) return value;
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const v = filterLeaves(value[key], filters, `${path}/${key}`);
      if (v !== undefined) setOwn(out, key, v);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (Array.isArray(value)) {
    const out = value.map((v, i) => filterLeaves(v, filters, `${path}/${i}`)).filter((v) => v !== undefined);
    return out.length === 0 ? undefined : out;
  }
  return filters.some((f) => test(f, path)) ? undefined : value;
}

/** RegExp.test without the statefulness of global/sticky patterns. */
export function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
