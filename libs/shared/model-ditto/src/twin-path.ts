// The resources of a Thing a twin command or an HTTP GET addresses (Ditto protocol "things"
// specification, HTTP API 2): `/`, `/attributes[/<ptr>]`, `/definition`, `/policyId`, `/features`,
// `/features/<F>`, `/features/<F>/definition`, `/features/<F>/properties[/<ptr>]`,
// `/features/<F>/desiredProperties[/<ptr>]`. Kanto's ParseCmdPath scopes, plus attributes and definitions,
// which Kanto leaves unsupported. One parser for the local twins (a command's path) and the development
// cloud (a command's path or an HTTP resource, already split into pointer segments). Property and
// attribute paths are JSON pointers (RFC 6901, `~0`/`~1` unescaped); in a path string the feature ID is a
// single segment taken as is. Untrusted input: bounded, never throws.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { formatPointer, unescapeSegment } from './json-pointer';

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
  return scopeOf(path, raw, (below) => pointerOf(path, below, limits));
}

/**
 * The resource that unescaped pointer segments address (`[]` is the Thing), as parseTwinPath would for
 * the path they spell; for paths that arrive as JSON pointers (the development cloud's HTTP API).
 */
export function twinPathOf(segments: readonly string[], limits: TwinPathLimits = defaultTwinPathLimits): TwinPathParseResult {
  if (segments.length === 0) return { ok: true, path: { scope: 'thing' } };
  const path = formatPointer(segments);
  if (path.length > limits.maxLength) return parseFailure(`path is longer than ${limits.maxLength} characters`);
  if (segments.includes('')) return parseFailure(`path "${path}" has an empty segment`);
  return scopeOf(path, segments, (below) =>
    below.length > limits.maxDepth ? parseFailure(`path "${path}" is deeper than ${limits.maxDepth} levels`) : { ok: true, segments: below },
  );
}

type PointerResult = { readonly ok: true; readonly segments: readonly string[] } | ParseFailure;

function scopeOf(path: string, segments: readonly string[], pointer: (below: readonly string[]) => PointerResult): TwinPathParseResult {
  const [root, second, third, ...rest] = segments as [string, ...string[]];
  switch (root) {
    case 'attributes': {
      const p = pointer(segments.slice(1));
      return p.ok ? { ok: true, path: { scope: 'attributes', pointer: p.segments } } : p;
    }
    case 'definition':
    case 'policyId':
      return segments.length === 1 ? { ok: true, path: { scope: root } } : parseFailure(`path "${path}" has segments below /${root}`);
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
  const p = pointer(rest);
  return p.ok ? { ok: true, path: { scope: third, featureId, pointer: p.segments } } : p;
}

function pointerOf(path: string, raw: readonly string[], limits: TwinPathLimits): PointerResult {
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

/** Where the resource lives inside the Thing's JSON (`[]`: the Thing itself). */
export function twinPathSegments(path: TwinPath): readonly string[] {
  switch (path.scope) {
    case 'thing':
      return [];
    case 'attributes':
      return ['attributes', ...path.pointer];
    case 'definition':
    case 'policyId':
    case 'features':
      return [path.scope];
    case 'feature':
      return ['features', path.featureId];
    case 'featureDefinition':
      return ['features', path.featureId, 'definition'];
    case 'properties':
    case 'desiredProperties':
      return ['features', path.featureId, path.scope, ...path.pointer];
  }
}
