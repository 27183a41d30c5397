// Small helpers for decoded, untrusted JSON values (Ditto payloads, AWS shadow and IoT Hub twin documents).
// Keys come from the wire, so they are written with defineProperty: a key "__proto__" is an own data
// property, never the prototype.
import { decodeJsonInput, isPlainObject } from '@ledge/shared/util-parse';
import { defaultParseEnvelopeOptions } from './envelope';

export type JsonObject = { [key: string]: unknown };

/** A JSON object within the envelope limits (size, depth, node count), or undefined; never throws. */
export function parseJsonObject(payload: Buffer): JsonObject | undefined {
  const decoded = decodeJsonInput(payload, defaultParseEnvelopeOptions);
  return decoded.ok && isPlainObject(decoded.value) ? decoded.value : undefined;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}

/** The own property `key` of `object`, or undefined. */
export function getOwn(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Sets an own enumerable data property (safe for any key, including "__proto__"). */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A shallow copy keeping own enumerable properties as own data properties. */
export function copyObject(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(object)) setOwn(out, key, object[key]);
  return out;
}

/** An object without the key `key` (a copy; the input is not changed). */
export function withoutKey(object: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(object)) if (k !== key) setOwn(out, k, object[k]);
  return out;
}

/** An object from entries, safe for any key. */
export function objectFrom(entries: Iterable<readonly [string, unknown]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of entries) setOwn(out, key, value);
  return out;
}

/** Deep equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** True for undefined and for an object without keys (Kanto: no desired properties). */
export function isEmptyObject(value: JsonObject | undefined): boolean {
  return value === undefined || Object.keys(value).length === 0;
}
