// Ditto's change notifications as Server-Sent Events (HTTP API 2, "SSE API /things"): each event is the
// changed part of the Thing in Thing JSON, with its thingId; a deleted resource appears as null, a deleted
// Thing as its thingId alone. `fields` and `extraFields` select parts of a Thing, as Ditto's partial requests.
import { copyObject, isJsonObject, parsePointer, setAt, setOwn, valueAt, type JsonObject } from '@ledge/shared/model-ditto';
import type { TwinEvent } from './twin-store';

/** The Thing JSON fragment an SSE `data:` line carries for this event. */
export function sseFragment(event: TwinEvent): Record<string, unknown> {
  const parsed = parsePointer(event.path);
  const segments = parsed.ok ? parsed.segments : [];
  if (segments.length === 0) {
    if (event.action === 'deleted') return { thingId: event.thingId };
    const value = typeof event.value === 'object' && event.value !== null && !Array.isArray(event.value) ? event.value : {};
    return { ...(value as Record<string, unknown>), thingId: event.thingId };
  }
  const value = event.action === 'deleted' ? null : event.value;
  return { thingId: event.thingId, ...setAt({}, segments, value) };
}

export const MAX_FIELDS = 64;

export type FieldsParseResult = { readonly ok: true; readonly fields: readonly (readonly string[])[] } | { readonly ok: false; readonly problem: string };

/**
 * `thingId,attributes/location,features/meter/properties` → pointer segments per field. Ditto's
 * parenthesised groups (`features(a,b)`) expand one level: `features/a`, `features/b`.
 */
export function parseFields(spec: string): FieldsParseResult {
  const fields: string[][] = [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of spec) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth < 0) return { ok: false, problem: `unbalanced ")" in fields "${spec}"` };
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (depth !== 0) return { ok: false, problem: `unbalanced "(" in fields "${spec}"` };
  parts.push(current);
  for (const part of parts) {
    const m = /^([^()]*)\(([^()]*)\)$/.exec(part);
    const expanded = m ? m[2]!.split(',').map((inner) => `${m[1]}/${inner}`) : [part];
    for (const f of expanded) {
      const trimmed = f.trim().replace(/^\/+/, '');
      if (trimmed === '') continue;
      const p = parsePointer(`/${trimmed}`);
      if (!p.ok) return { ok: false, problem: p.problems.join('; ') };
      fields.push([...p.segments]);
    }
  }
  if (fields.length > MAX_FIELDS) return { ok: false, problem: `more than ${MAX_FIELDS} fields` };
  return { ok: true, fields };
}

/** Only the selected fields of `json` (those that exist), in a tree of the same shape. */
export function selectFields(json: unknown, fields: readonly (readonly string[])[]): Record<string, unknown> {
  let out: JsonObject = {};
  for (const f of fields) {
    const v = valueAt(json, f);
    if (v !== undefined) out = setAt(out, f, v);
  }
  return out;
}

/** The fragment enriched with `extraFields` of the current Thing; what changed (nulls included) wins. */
export function enrichFragment(fragment: Record<string, unknown>, thing: unknown, extraFields: readonly (readonly string[])[]): Record<string, unknown> {
  if (extraFields.length === 0) return fragment;
  // thingId first, as in Ditto's Thing JSON.
  return { thingId: fragment['thingId'], ...(overlay(selectFields(thing, extraFields), fragment) as Record<string, unknown>) };
}

function overlay(base: unknown, over: unknown): unknown {
  if (!isJsonObject(base) || !isJsonObject(over)) return over;
  const out = copyObject(base);
  for (const [k, v] of Object.entries(over)) setOwn(out, k, overlay(Object.hasOwn(base, k) ? base[k] : undefined, v));
  return out;
}
