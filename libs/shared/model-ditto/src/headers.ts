// Ditto protocol headers (§3.1). Header names are case-insensitive in Ditto; lookups here are too.
import { isPlainObject } from '@ledge/shared/util-parse';

export type DittoHeaderPrimitive = string | number | boolean;
/** Arrays of primitives are accepted for Ditto's list-valued headers (e.g. `requested-acks`). */
export type DittoHeaderValue = DittoHeaderPrimitive | readonly DittoHeaderPrimitive[];
export type DittoHeaders = Readonly<Record<string, DittoHeaderValue>>;

export const DittoHeaderNames = Object.freeze({
  correlationId: 'correlation-id',
  responseRequired: 'response-required',
  contentType: 'content-type',
  replyTo: 'reply-to',
  timeout: 'timeout',
} as const);

export const JSON_CONTENT_TYPE = 'application/json';

/** Case-insensitive header lookup; an exact-case match wins. */
export function getHeader(headers: DittoHeaders | undefined, name: string): DittoHeaderValue | undefined {
  if (headers === undefined) return undefined;
  if (Object.hasOwn(headers, name)) return headers[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The header as a string (numbers and booleans stringified), or undefined when absent or a list. */
export function getHeaderString(headers: DittoHeaders | undefined, name: string): string | undefined {
  const v = getHeader(headers, name);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** The `correlation-id` header, or undefined when absent or empty. */
export function getCorrelationId(headers: DittoHeaders | undefined): string | undefined {
  const v = getHeaderString(headers, DittoHeaderNames.correlationId);
  return v === undefined || v === '' ? undefined : v;
}

/** §3.1: a response is expected unless `response-required` is `false` (boolean or string). Default true. */
export function isResponseRequired(headers: DittoHeaders | undefined): boolean {
  const v = getHeader(headers, DittoHeaderNames.responseRequired);
  return !(v === false || (typeof v === 'string' && v.trim().toLowerCase() === 'false'));
}

/** Validates untrusted headers: an object whose values are strings, finite numbers, booleans or lists of them. */
export function validateHeaders(input: unknown, problems: string[]): DittoHeaders {
  if (!isPlainObject(input)) {
    problems.push('"headers" must be an object');
    return {};
  }
  const entries: Array<[string, DittoHeaderValue]> = [];
  for (const [k, v] of Object.entries(input)) {
    if (isHeaderPrimitive(v)) entries.push([k, v]);
    else if (Array.isArray(v) && v.every(isHeaderPrimitive)) entries.push([k, [...v]]);
    else problems.push(`header "${k}" must be a string, number or boolean`);
  }
  // fromEntries defines own properties, so a "__proto__" key cannot touch the prototype.
  return Object.fromEntries(entries);
}

function isHeaderPrimitive(v: unknown): v is DittoHeaderPrimitive {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}
