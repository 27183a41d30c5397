// IoT Hub's rules for twin properties (Azure "Understand and use device twins in IoT Hub", tags and
// properties restrictions): keys are UTF-8, case-sensitive, at most 1 KB, and contain no C0/C1 control
// character, '.', '$' or space; objects nest at most 10 levels below `properties.reported`; strings are
// at most 4 KB; integers lie within ±2^52. The hub rejects a whole patch that breaks one rule, so the
// leaves that break them are left out here, each with a reason, and the rest is sent.
import { withDefaults } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import { setOwn, type JsonObject } from '@ledge/shared/model-ditto';

export interface TwinPropertyLimits {
  readonly maxKeyBytes: number;
  /** Object levels below the section root: the section's own object is level 1. */
  readonly maxDepth: number;
  readonly maxStringBytes: number;
}

export const defaultTwinPropertyLimits: TwinPropertyLimits = Object.freeze({ maxKeyBytes: 1024, maxDepth: 10, maxStringBytes: 4096 });

const MAX_INTEGER = 4503599627370495;
const MIN_INTEGER = -4503599627370496;
// C0 controls, DEL and C1 controls, '.', '$', space.
const FORBIDDEN_KEY_CHARACTER = /[\u0000-\u001f\u007f-\u009f.$ ]/;

/** Why `key` cannot be a twin property name, or undefined. */
export function twinKeyProblem(key: string, limits: TwinPropertyLimits = defaultTwinPropertyLimits): string | undefined {
  if (key === '') return 'an empty name';
  if (FORBIDDEN_KEY_CHARACTER.test(key)) return 'a name with a control character, ".", "$" or a space';
  if (Buffer.byteLength(key, 'utf8') > limits.maxKeyBytes) return `a name longer than ${limits.maxKeyBytes} bytes`;
  return undefined;
}

export interface SanitisedPatch {
  readonly patch: JsonObject;
  /** One reason per left-out leaf or subtree, naming its path. */
  readonly problems: readonly string[];
}

/** `patch` (`{ <section>: value | null }`) without what IoT Hub would refuse. */
export function sanitiseTwinPatch(patch: JsonObject, options: Partial<TwinPropertyLimits> = {}): SanitisedPatch {
  const limits = withDefaults(defaultTwinPropertyLimits, options);
  const problems: string[] = [];
  const out = sanitiseObject(patch, '', 0, limits, problems);
  return { patch: out ?? {}, problems };
}

function sanitiseObject(obj: JsonObject, path: string, level: number, limits: TwinPropertyLimits, problems: string[]): JsonObject | undefined {
  const out: JsonObject = {};
  const keys = Object.keys(obj);
  for (const key of keys) {
    const at = `${path}/${key}`;
    const keyProblem = twinKeyProblem(key, limits);
    if (keyProblem !== undefined) {
      problems.push(`twin property "${at.slice(0, 200)}" left out: ${keyProblem}`);
      continue;
    }
    const v = sanitiseValue(obj[key], at, level + 1, limits, problems);
    if (v !== undefined) setOwn(out, key, v);
  }
  // An object whose every member was left out is left out too (an empty patch object changes nothing).
  return keys.length > 0 && Object.keys(out).length === 0 ? undefined : out;
}

function sanitiseValue(v: unknown, at: string, level: number, limits: TwinPropertyLimits, problems: string[]): unknown {
  const problem = (what: string) => void problems.push(`twin property "${at.slice(0, 200)}" left out: ${what}`);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && (v > MAX_INTEGER || v < MIN_INTEGER)) return problem('an integer beyond ±2^52');
    return v;
  }
  if (typeof v === 'string') {
    if (Buffer.byteLength(v, 'utf8') > limits.maxStringBytes) return problem(`a string longer than ${limits.maxStringBytes} bytes`);
    return v;
  }
  if (level > limits.maxDepth) return problem(`nested deeper than ${limits.maxDepth} levels`);
  if (Array.isArray(v)) {
    // An array is kept whole or left out whole: removing one element would change the others' positions.
    const inner: string[] = [];
    const items = v.map((item, i) => sanitiseValue(item, `${at}/${i}`, level + 1, limits, inner));
    if (inner.length > 0) return problem(`an array with ${inner[0]!.replace(/^twin property /, '')}`);
    return items;
  }
  if (isPlainObject(v)) return sanitiseObject(v, at, level, limits, problems);
  return problem('not a JSON value');
}
