// Ditto's field selector on retrieve (`fields`), in the syntax of Kanto's json_field_selector:
// `thingId,features(F/desiredProperties,G)` — a comma list of slash paths, each optionally followed by a
// parenthesised list below it; `features()` selects `features` itself. As in Kanto, a path that is the
// parent of another selected path is dropped in favour of the deeper one. Untrusted input: bounded,
// never throws.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { getAt, setAt, type JsonObject } from '@ledge/shared/model-ditto';

export interface FieldSelectorLimits {
  readonly maxLength: number;
  readonly maxNesting: number;
  readonly maxPaths: number;
}

export const defaultFieldSelectorLimits: FieldSelectorLimits = Object.freeze({ maxLength: 4096, maxNesting: 16, maxPaths: 256 });

export type FieldSelectorParseResult = { readonly ok: true; readonly paths: readonly (readonly string[])[] } | ParseFailure;

export function parseFieldSelector(selector: unknown, limits: FieldSelectorLimits = defaultFieldSelectorLimits): FieldSelectorParseResult {
  if (typeof selector !== 'string') return parseFailure('field selector must be a string');
  if (selector.length > limits.maxLength) return parseFailure(`field selector is longer than ${limits.maxLength} characters`);
  const paths: string[][] = [];
  let i = 0;
  let problem: string | undefined;

  /** Parses a comma list below `prefix`; stops at an unmatched ')' (left for the caller) or the end. */
  const list = (prefix: readonly string[], depth: number): void => {
    if (depth > limits.maxNesting) {
      problem = `field selector nests deeper than ${limits.maxNesting} levels`;
      return;
    }
    for (;;) {
      const start = i;
      while (i < selector.length && !',()'.includes(selector[i]!)) i++;
      const name = selector.slice(start, i).split('/').filter((s) => s !== '');
      const here = [...prefix, ...name];
      if (selector[i] === '(') {
        i++;
        const before = paths.length;
        list(here, depth + 1);
        if (problem !== undefined) return;
        if (selector[i] !== ')') {
          problem = 'field selector has an unclosed "("';
          return;
        }
        i++;
        if (paths.length === before && here.length > 0) paths.push(here);
      } else if (name.length > 0) paths.push(here);
      if (paths.length > limits.maxPaths) {
        problem = `field selector selects more than ${limits.maxPaths} paths`;
        return;
      }
      if (selector[i] === ',') {
        i++;
        continue;
      }
      return;
    }
  };

  list([], 0);
  if (problem !== undefined) return parseFailure(problem);
  if (i < selector.length) return parseFailure(`field selector has an unmatched ")" at ${i}`);
  return { ok: true, paths: innermost(paths) };
}

/** Unique paths, without those that are a parent of another selected path (Kanto's "most inner fields"). */
function innermost(paths: readonly string[][]): string[][] {
  const key = (p: readonly string[]) => JSON.stringify(p);
  const unique = [...new Map(paths.map((p) => [key(p), p])).values()];
  const isParent = (a: readonly string[], b: readonly string[]) => a.length < b.length && a.every((s, j) => s === b[j]);
  return unique.filter((p) => !unique.some((q) => isParent(p, q)));
}

/** The parts of `doc` at the selected paths (absent ones are left out). */
export function selectFields(doc: JsonObject, paths: readonly (readonly string[])[]): JsonObject {
  let out: JsonObject = {};
  for (const path of paths) {
    const found = getAt(doc, path);
    if (found.found) out = setAt(out, path, found.value);
  }
  return out;
}
