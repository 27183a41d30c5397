// A small field reader for untrusted JSON objects: collects problems with their JSON path instead of
// throwing, so one response can name every bad field.
import { isPlainObject } from '@ledge/shared/util-parse';

export class FieldReader {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(path === '' ? message : `${path}: ${message}`);
  }

  object(v: unknown, path: string): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isPlainObject(v)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    return v as Record<string, unknown>;
  }

  string(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.problem(path, 'must be a string');
      return undefined;
    }
    return v;
  }

  boolean(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(path, 'must be a boolean');
      return undefined;
    }
    return v;
  }

  integer(v: unknown, path: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.problem(path, `must be an integer in [${min}, ${max}]`);
      return undefined;
    }
    return v;
  }

  strings(v: unknown, path: string): string[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.problem(path, 'must be an array of strings');
      return undefined;
    }
    return v as string[];
  }

  array(v: unknown, path: string): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.problem(path, 'must be an array');
      return undefined;
    }
    return v;
  }

  /** An enum given in Ditto upper-case (`ON_FAILURE`) or docker lower-case (`on-failure`). */
  enumOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T | undefined {
    const s = this.string(v, path);
    if (s === undefined || s === '') return undefined;
    const norm = s.toLowerCase().replace(/_/g, '-');
    const hit = allowed.find((a) => a === norm);
    if (hit === undefined) this.problem(path, `unsupported value '${s}' (one of ${allowed.map(toDittoEnum).join(', ')})`);
    return hit;
  }
}

/** `on-failure` → `ON_FAILURE` (the Ditto model's spelling, §3.3). */
export function toDittoEnum(v: string): string {
  return v.toUpperCase().replace(/-/g, '_');
}
