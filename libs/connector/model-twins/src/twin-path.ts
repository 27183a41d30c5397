// Ditto paths of a thing's twin, parsed into the scope a command addresses (Ditto protocol
// "things" specification; Kanto's ParseCmdPath scopes, plus attributes and definitions, which Kanto leaves
// unsupported). Property and attribute paths are JSON pointers (RFC 6901, `~0`/`~1` unescaped); feature
// IDs are a single segment taken as is. Untrusted input: bounded, never throws.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { formatPointer, unescapeSegment } from '@ledge/shared/model-ditto';

export type TwinPath =
  | { readonly scope: 'thing' }
  /** `/attributes` (pointer empty) or `/attributes/<ptr>`. */
  | { readonly scope: 'attributes'; readonly pointer: readonly string[] }
  | { readonly scope: 'definition' }
  | { readonly scope: 'policyId' }
  | { readonly scope: 'features' }
  | { readonly scope: 'feature'; readonly featureId: string }
  | { readonly scope: 'featureDefinition'; readonly featureId: string }
  /** `/features/<F>/properties` (pointer empty) or a property below it. */
  | { readonly scope: 'properties'; readonly featureId: string; readonly pointer: readonly string[] }
  | { readonly scope: 'desiredProperties'; readonly featureId: string; readonly pointer: readonly string[] };

export type TwinScope = TwinPath['scope'];

export type TwinPathParseResult = { readonly ok: true; readonly path: TwinPath } | ParseFailure;

export interface TwinPathLimits {
  /** Characters of the whole path. */
  readonly maxLength: number;
  /** Segments of a property or attribute pointer. */
  readonly maxDepth: number;
}

export const defaultTwinPathLimits: TwinPathLimits = Object.freeze({ maxLength: 4096, maxDepth: 32 });

/** Ditto's limit on a feature ID's length. */
export const MAX_FEATURE_ID_LENGTH = 256;

// Ditto feature IDs: no '/', no control characters, not empty.
const FEATURE_ID = /^[^\x00-\x1F\x7F/]+$/;

export function isValidFeatureId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= MAX_FEATURE_ID_LENGTH && FEATURE_ID.test(id);
}

export function parseTwinPath(path: unknown, limits: TwinPathLimits = defaultTwinPathLimits): TwinPathParseResult {
  if (typeof path !== 'string') return parseFailure('path must be a string');
  if (path.length > limits.maxLength) return parseFailure(`path is longer than ${limits.maxLength} characters`);
  if (path === '/') return { ok: true, path: { scope: 'thing' } };
  if (!path.startsWith('/')) return parseFailure(`path "${path}" must start with "/"`);
  const raw = path.slice(1).split('/');
  if (raw.includes('')) return parseFailure(`path "${path}" has an empty segment`);
  const [root, second, third, ...rest] = raw as [string, ...string[]];
  switch (root) {
    case 'attributes': {
      const pointer = pointerOf(path, raw.slice(1), limits);
      return pointer.ok ? { ok: true, path: { scope: 'attributes', pointer: pointer.segments } } : pointer;
    }
    case 'definition':
    case 'policyId':
      return raw.length === 1 ? { ok: true, path: { scope: root } } : parseFailure(`path "${path}" has segments below /${root}`);
    case 'features':
      break;
    default:
      return parseFailure(`path "${path}" is not a twin path (expected /, /attributes, /definition, /policyId or /features)`);
  }
  if (second === undefined) return { ok: true, path: { scope: 'features' } };
  if (!isValidFeatureId(second)) return parseFailure(`path "${path}" has an invalid feature ID`);
  const featureId = second;
  if (third === undefined) return { ok: true, path: { scope: 'feature', featureId } };
  if (third === 'definition') {
    return rest.length === 0
      ? { ok: true, path: { scope: 'featureDefinition', featureId } }
      : parseFailure(`path "${path}" has segments below the feature definition`);
  }
  if (third !== 'properties' && third !== 'desiredProperties') {
    return parseFailure(`path "${path}" is not a feature path (expected definition, properties or desiredProperties)`);
  }
  const pointer = pointerOf(path, rest, limits);
  return pointer.ok ? { ok: true, path: { scope: third, featureId, pointer: pointer.segments } } : pointer;
}

function pointerOf(
  path: string,
  raw: readonly string[],
  limits: TwinPathLimits,
): { readonly ok: true; readonly segments: readonly string[] } | ParseFailure {
  if (raw.length > limits.maxDepth) return parseFailure(`path "${path}" is deeper than ${limits.maxDepth} levels`);
  const segments: string[] = [];
  for (const s of raw) {
    const unescaped = unescapeSegment(s);
    if (unescaped === undefined) return parseFailure(`path "${path}" has an invalid "~" escape (RFC 6901: only ~0 and ~1)`);
    segments.push(unescaped);
  }
  return { ok: true, segments };
}

/** The Ditto path of a scope (pointer segments escaped). */
export function formatTwinPath(path: TwinPath): string {
  // formatPointer gives `/` for the root pointer (Ditto's); below a resource, no segments means no suffix.
  const ptr = (segments: readonly string[]): string => (segments.length === 0 ? '' : formatPointer(segments));
  switch (path.scope) {
    case 'thing':
      return '/';
    case 'attributes':
      return `/attributes${ptr(path.pointer)}`;
    case 'definition':
    case 'policyId':
      return `/${path.scope}`;
    case 'features':
      return '/features';
    case 'feature':
      return `/features/${path.featureId}`;
    case 'featureDefinition':
      return `/features/${path.featureId}/definition`;
    case 'properties':
    case 'desiredProperties':
      return `/features/${path.featureId}/${path.scope}${ptr(path.pointer)}`;
  }
}
