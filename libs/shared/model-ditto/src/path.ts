// JSON-pointer-like Ditto paths under `/features/<F>` (§3.1). Feature IDs may contain ':' but never '/'.
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export type MessageBox = 'inbox' | 'outbox';

export interface FeatureMessagePath {
  readonly featureId: string;
  readonly box: MessageBox;
  /** The operation (inbox) or subject (outbox); may contain '/'. */
  readonly subject: string;
}

export interface FeaturePropertyPath {
  readonly featureId: string;
  /** Segments below `properties`; empty for `/features/<F>/properties` itself. */
  readonly pointer: readonly string[];
}

export interface FeaturePath {
  readonly featureId: string;
  /** Segments below `/features/<F>`; empty for the whole feature. */
  readonly rest: readonly string[];
}

export type FeaturePathParseResult = { readonly ok: true; readonly path: FeaturePath } | ParseFailure;
export type FeatureMessagePathParseResult = { readonly ok: true; readonly path: FeatureMessagePath } | ParseFailure;
export type FeaturePropertyPathParseResult = { readonly ok: true; readonly path: FeaturePropertyPath } | ParseFailure;

/** Splits an absolute path into segments; rejects empty segments. */
export function splitPath(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  if (path === '/') return [];
  const segments = path.slice(1).split('/');
  return segments.includes('') ? undefined : segments;
}

export function joinPath(segments: readonly string[]): string {
  return `/${segments.join('/')}`;
}

/** `/features/<F>[/...]`. */
export function parseFeaturePath(path: unknown): FeaturePathParseResult {
  if (typeof path !== 'string') return parseFailure('path must be a string');
  const segments = splitPath(path);
  if (segments === undefined) return parseFailure(`path "${path}" must start with "/" and have no empty segments`);
  const [root, featureId, ...rest] = segments;
  if (root !== 'features' || featureId === undefined) return parseFailure(`path "${path}" is not under /features/<featureId>`);
  return { ok: true, path: { featureId, rest } };
}

/** `/features/<F>/inbox/messages/<op>` or `/features/<F>/outbox/messages/<subject>`. */
export function parseFeatureMessagePath(path: unknown): FeatureMessagePathParseResult {
  const parsed = parseFeaturePath(path);
  if (!parsed.ok) return parsed;
  const { featureId, rest } = parsed.path;
  const [box, messages, ...subject] = rest;
  if ((box !== 'inbox' && box !== 'outbox') || messages !== 'messages' || subject.length === 0) {
    return parseFailure(`path "${String(path)}" is not /features/<featureId>/(inbox|outbox)/messages/<subject>`);
  }
  return { ok: true, path: { featureId, box, subject: subject.join('/') } };
}

/** `/features/<F>/properties[/<p>...]`. */
export function parseFeaturePropertyPath(path: unknown): FeaturePropertyPathParseResult {
  const parsed = parseFeaturePath(path);
  if (!parsed.ok) return parsed;
  const [properties, ...pointer] = parsed.path.rest;
  if (properties !== 'properties') return parseFailure(`path "${String(path)}" is not /features/<featureId>/properties[/...]`);
  return { ok: true, path: { featureId: parsed.path.featureId, pointer } };
}

/** `/features/<F>`. */
export function featurePath(featureId: string): string {
  return `/features/${featureId}`;
}

/** `/features/<F>/properties[/<p>...]`; each pointer element may itself contain '/'-separated segments. */
export function featurePropertyPath(featureId: string, ...pointer: string[]): string {
  const tail = pointer.filter((p) => p !== '').join('/');
  return tail === '' ? `/features/${featureId}/properties` : `/features/${featureId}/properties/${tail}`;
}

/** `/features/<F>/<box>/messages/<subject>`. */
export function featureMessagePath(featureId: string, box: MessageBox, subject: string): string {
  return `/features/${featureId}/${box}/messages/${subject}`;
}

/** §3.1: a response's path is the request's with `outbox` in place of `inbox`. Other paths are unchanged. */
export function toOutboxPath(path: string): string {
  const parsed = parseFeatureMessagePath(path);
  if (parsed.ok && parsed.path.box === 'inbox') return featureMessagePath(parsed.path.featureId, 'outbox', parsed.path.subject);
  // Thing-level messages: /inbox/messages/<subject>.
  return path.startsWith('/inbox/messages/') ? `/outbox/${path.slice('/inbox/'.length)}` : path;
}
