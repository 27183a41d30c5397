// Pure parts of the local API (issue 4 item 6): route matching, error → HTTP status, the container
// record as the API returns it, and create-request parsing. No sockets here; local-api.ts serves them.
import { buildContainerStatus, nameFromImageRef, parseDescriptor, type ContainerConfig } from '@ledge/container-management/model-containers';
import { isLedgeError } from '@ledge/shared/util';
import { invalidRequestError } from './errors';
import type { ContainerRecord } from './store';

export const API_PREFIX = '/v1';

export type RouteName = 'list' | 'get' | 'create' | 'action' | 'remove' | 'logs' | 'sysinfo';
export const CONTAINER_ACTIONS = ['start', 'stop', 'pause', 'resume', 'rename', 'update'] as const;
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

export interface Route {
  name: RouteName;
  /** Container ID or name (get/action/remove/logs). */
  ref?: string;
  action?: ContainerAction;
  query: URLSearchParams;
}

/** Maps method + URL to a route; undefined = no such route (404). */
export function matchRoute(method: string, rawUrl: string): Route | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://local');
  } catch {
    return undefined;
  }
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  let parts: string[];
  try {
    parts = url.pathname.slice(API_PREFIX.length + 1).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const query = url.searchParams;
  const [head, ref, sub, ...rest] = parts;
  if (rest.length > 0 || parts.some((p) => p === '')) return undefined;
  if (head === 'sysinfo' && parts.length === 1) return method === 'GET' ? { name: 'sysinfo', query } : undefined;
  if (head !== 'containers') return undefined;
  if (ref === undefined) {
    if (method === 'GET') return { name: 'list', query };
    if (method === 'POST') return { name: 'create', query };
    return undefined;
  }
  if (sub === undefined) {
    if (method === 'GET') return { name: 'get', ref, query };
    if (method === 'DELETE') return { name: 'remove', ref, query };
    return undefined;
  }
  if (sub === 'logs' && method === 'GET') return { name: 'logs', ref, query };
  if (method === 'POST' && (CONTAINER_ACTIONS as readonly string[]).includes(sub)) return { name: 'action', ref, action: sub as ContainerAction, query };
  return undefined;
}

/** LedgeError kinds → HTTP status: InvalidArgument 400, NotFound 404, AlreadyExists/FailedPrecondition 409, else 500. */
export function httpStatusOf(err: unknown): number {
  if (!isLedgeError(err)) return 500;
  switch (err.kind) {
    case 'InvalidArgument':
      return 400;
    case 'NotFound':
      return 404;
    case 'AlreadyExists':
    case 'FailedPrecondition':
      return 409;
    default:
      return 500;
  }
}

export interface ApiError {
  code: string;
  message: string;
}

export function apiErrorOf(err: unknown): ApiError {
  if (isLedgeError(err)) return { code: err.code, message: err.message };
  return { code: 'LEDGE_CM_RUNTIME_FAILED', message: err instanceof Error ? err.message : String(err) };
}

export { badJsonError, noRouteError } from './errors';

/** A container as the API returns it: the Ditto status shape (§3.4) plus ID and restart count. */
export function apiContainerOf(r: ContainerRecord): Record<string, unknown> {
  return { id: r.id, ...buildContainerStatus(r), restartCount: r.restartCount };
}

export interface ApiCreateRequest {
  config: ContainerConfig;
  named: boolean;
  start: boolean;
}

/**
 * POST /containers body: a §4.2 descriptor, or `{descriptor, start, named}`. A descriptor without
 * `container_name` gets one derived from the image (made unique by the manager).
 */
export function parseCreateBody(body: unknown, query: URLSearchParams): ApiCreateRequest {
  const wrapped = isObject(body) && 'descriptor' in body;
  const descriptor = wrapped ? body['descriptor'] : body;
  const start = wrapped ? body['start'] === true : query.get('start') === '1' || query.get('start') === 'true';
  if (!isObject(descriptor)) throw invalidRequestError('descriptor', ['descriptor must be an object']);
  const image = descriptor['image'];
  const given = descriptor['container_name'];
  let named = typeof given === 'string' && given !== '';
  if (wrapped && typeof body['named'] === 'boolean') named = named && body['named'];
  const withName = !named && isObject(image) && typeof image['name'] === 'string' && (given === undefined || given === '')
    ? { ...descriptor, container_name: nameFromImageRef(image['name']) }
    : descriptor;
  const parsed = parseDescriptor(withName);
  if (!parsed.ok) throw invalidRequestError('descriptor', parsed.problems);
  return { config: parsed.value, named, start };
}

/** `?tail=N` (-1 or absent = all), `?follow=1`, `?until=exit` (with follow: end when the container stops), `?format=text`. */
export function parseLogsQuery(query: URLSearchParams): { tail: number; follow: boolean; text: boolean; untilExit: boolean } {
  const rawTail = query.get('tail');
  let tail = -1;
  if (rawTail !== null && rawTail !== '') {
    tail = Number(rawTail);
    if (!Number.isInteger(tail) || tail < -1) throw invalidRequestError('logs query', [`tail must be an integer >= -1, got '${rawTail}'`]);
  }
  const flag = (k: string) => query.get(k) === '1' || query.get(k) === 'true';
  const until = query.get('until');
  if (until !== null && until !== 'exit') throw invalidRequestError('logs query', [`until must be 'exit', got '${until}'`]);
  return { tail, follow: flag('follow'), text: query.get('format') === 'text', untilExit: until === 'exit' };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
