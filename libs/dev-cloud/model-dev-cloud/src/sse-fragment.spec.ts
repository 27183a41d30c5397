// Ditto's SSE shape: the changed part as Thing JSON with its thingId; fields and extraFields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrichFragment, parseFields, selectFields, sseFragment } from './sse-fragment';
import type { TwinEvent } from './twin-store';

const ev = (action: TwinEvent['action'], path: string, value?: unknown): TwinEvent => ({ thingId: 'demo:gw', action, path, revision: 2, timestamp: 'T', ...(value === undefined ? {} : { value }) });

describe('sseFragment', () => {
  const cases: [TwinEvent, unknown][] = [
    [ev('modified', '/features/A/properties/x~1y', 5), { thingId: 'demo:gw', features: { A: { properties: { 'x/y': 5 } } } }],
    [ev('merged', '/features/A/properties', { a: null, b: 1 }), { thingId: 'demo:gw', features: { A: { properties: { a: null, b: 1 } } } }],
    [ev('deleted', '/features/B'), { thingId: 'demo:gw', features: { B: null } }],
    [ev('created', '/', { thingId: 'demo:gw', attributes: { a: 1 } }), { thingId: 'demo:gw', attributes: { a: 1 } }],
    [ev('deleted', '/'), { thingId: 'demo:gw' }],
  ];
  for (const [event, expected] of cases) it(`${event.action} ${event.path}`, () => assert.deepEqual(sseFragment(event), expected));
});

describe('fields', () => {
  it('parses paths and one level of parentheses', () => {
    assert.deepEqual(parseFields('thingId,attributes/loc,features(A,B/properties)'), { ok: true, fields: [['thingId'], ['attributes', 'loc'], ['features', 'A'], ['features', 'B', 'properties']] });
    assert.equal(parseFields('a(b').ok, false);
    assert.equal(parseFields('a)b(').ok, false);
  });
  it('selects what exists and enriches a fragment, the change winning', () => {
    const thing = { thingId: 'demo:gw', attributes: { loc: 'lab', other: 1 }, features: { A: { properties: { x: 1 } } } };
    assert.deepEqual(selectFields(thing, [['thingId'], ['attributes', 'loc'], ['nope']]), { thingId: 'demo:gw', attributes: { loc: 'lab' } });
    assert.deepEqual(enrichFragment({ thingId: 'demo:gw', attributes: { loc: null } }, thing, [['attributes']]), { thingId: 'demo:gw', attributes: { loc: null, other: 1 } });
  });
});
