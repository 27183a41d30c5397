import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, selectFields } from './field-selector';

const pointers = (s: string) => {
  const r = parseFieldSelector(s);
  assert.ok(r.ok, s);
  return r.paths.map((p) => `/${p.join('/')}`).sort();
};

describe('parseFieldSelector (Kanto json_field_selector examples)', () => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['thingId', ['/thingId']],
    ['thingId,features', ['/features', '/thingId']],
    ['thingId,features(square,circle/color)', ['/features/circle/color', '/features/square', '/thingId']],
    ['features(circle(color),square)', ['/features/circle/color', '/features/square']],
    ['features()', ['/features']],
    ['(thingId,features,_revision)', ['/_revision', '/features', '/thingId']],
    ['(thingId,features(,),_revision)', ['/_revision', '/features', '/thingId']],
    ['thingId,features(triangle(),triangle/properties(test(configuration)),square)', ['/features/square', '/features/triangle/properties/test/configuration', '/thingId']],
    ['thingId,attributes,features(geo:triangle,geo.triangle/properties(type/bySides,color),circle)', [
      '/attributes',
      '/features/circle',
      '/features/geo.triangle/properties/color',
      '/features/geo.triangle/properties/type/bySides',
      '/features/geo:triangle',
      '/thingId',
    ]],
    ['test(test,test(test/test)),test/test,test(test/test(test))', ['/test/test/test/test']],
    ['features(meter/desiredProperties,lamp/desiredProperties)', ['/features/lamp/desiredProperties', '/features/meter/desiredProperties']],
  ];
  for (const [selector, expected] of cases) it(JSON.stringify(selector), () => assert.deepEqual(pointers(selector), expected.sort()));

  for (const bad of ['features(', 'features)', 'a(b))', '((a)', 42, '('.repeat(40) + ')'.repeat(40)]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseFieldSelector(bad).ok, false));
  }
});

describe('selectFields', () => {
  it('keeps only the selected parts that exist', () => {
    const thing = { thingId: 'a:b', attributes: { x: 1 }, features: { meter: { properties: { x: 1 }, desiredProperties: { x: 2 } }, lamp: { properties: {} } } };
    const r = parseFieldSelector('features(meter/desiredProperties,lamp/desiredProperties)');
    assert.ok(r.ok);
    assert.deepEqual(selectFields(thing, r.paths), { features: { meter: { desiredProperties: { x: 2 } } } });
  });
});
