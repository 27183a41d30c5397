import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePointer } from './json-pointer';
import { formatTwinPath, parseTwinPath, twinPathOf, twinPathSegments, type TwinPath } from './twin-path';

describe('parseTwinPath', () => {
  const valid: Array<[string, TwinPath]> = [
    ['/', { scope: 'thing' }],
    ['/attributes', { scope: 'attributes', pointer: [] }],
    ['/attributes/location/lat', { scope: 'attributes', pointer: ['location', 'lat'] }],
    ['/definition', { scope: 'definition' }],
    ['/policyId', { scope: 'policyId' }],
    ['/features', { scope: 'features' }],
    ['/features/meter', { scope: 'feature', featureId: 'meter' }],
    ['/features/Container:abc', { scope: 'feature', featureId: 'Container:abc' }],
    ['/features/meter/definition', { scope: 'featureDefinition', featureId: 'meter' }],
    ['/features/meter/properties', { scope: 'properties', featureId: 'meter', pointer: [] }],
    ['/features/sensor/properties/temperature/value', { scope: 'properties', featureId: 'sensor', pointer: ['temperature', 'value'] }],
    ['/features/meter/desiredProperties', { scope: 'desiredProperties', featureId: 'meter', pointer: [] }],
    ['/features/meter/desiredProperties/x', { scope: 'desiredProperties', featureId: 'meter', pointer: ['x'] }],
    // RFC 6901: ~1 is '/', ~0 is '~', and ~01 is '~1' (unescaped once).
    ['/features/f/properties/a~1b/c~0d/e~01', { scope: 'properties', featureId: 'f', pointer: ['a/b', 'c~d', 'e~1'] }],
    ['/attributes/__proto__', { scope: 'attributes', pointer: ['__proto__'] }],
  ];
  for (const [path, expected] of valid) {
    it(`parses ${path}, from the string and from its pointer segments alike`, () => {
      assert.deepEqual(parseTwinPath(path), { ok: true, path: expected });
      assert.equal(formatTwinPath(expected), path);
      const pointer = parsePointer(path);
      assert.ok(pointer.ok);
      assert.deepEqual(twinPathOf(pointer.segments), { ok: true, path: expected });
    });
  }

  const invalid: unknown[] = [
    '',
    'features/meter',
    '/features/',
    '/features//properties',
    '/attributes/',
    '/attributes//x',
    '/foo',
    '/_revision',
    '/definition/x',
    '/policyId/x',
    '/features/meter/inbox/messages/op',
    '/features/meter/definition/0',
    '/features/meter/properties/a~2',
    '/features/meter/properties/a~',
    '/features/bad\u0001id',
    `/features/${'x'.repeat(300)}`,
    `/attributes${'/a'.repeat(33)}`,
    `/attributes/${'a'.repeat(5000)}`,
    42,
    null,
    undefined,
    { path: '/' },
  ];
  for (const path of invalid) {
    it(`rejects ${JSON.stringify(path)?.slice(0, 40)} without throwing`, () => {
      const result = parseTwinPath(path);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.problems.length > 0);
      // the same path as pointer segments, where it is a pointer at all
      const pointer = typeof path === 'string' && path !== '' ? parsePointer(path, { maxSegments: 64, maxLength: 10_000 }) : undefined; // '' is the root pointer
      if (pointer?.ok) assert.equal(twinPathOf(pointer.segments).ok, false, 'as segments');
    });
  }

  it('bounds the pointer depth by the limits', () => {
    assert.equal(parseTwinPath('/attributes/a/b/c', { maxLength: 100, maxDepth: 2 }).ok, false);
    assert.equal(parseTwinPath('/attributes/a/b', { maxLength: 100, maxDepth: 2 }).ok, true);
  });

  it('twinPathOf bounds the depth too, and twinPathSegments says where each resource lives in the Thing', () => {
    assert.equal(twinPathOf(['attributes', 'a', 'b', 'c'], { maxLength: 100, maxDepth: 2 }).ok, false);
    assert.deepEqual(twinPathOf([]), { ok: true, path: { scope: 'thing' } });
    const where: Array<[TwinPath, string[]]> = [
      [{ scope: 'thing' }, []],
      [{ scope: 'attributes', pointer: ['a', 'b'] }, ['attributes', 'a', 'b']],
      [{ scope: 'definition' }, ['definition']],
      [{ scope: 'policyId' }, ['policyId']],
      [{ scope: 'features' }, ['features']],
      [{ scope: 'feature', featureId: 'f' }, ['features', 'f']],
      [{ scope: 'featureDefinition', featureId: 'f' }, ['features', 'f', 'definition']],
      [{ scope: 'properties', featureId: 'f', pointer: ['x'] }, ['features', 'f', 'properties', 'x']],
      [{ scope: 'desiredProperties', featureId: 'f', pointer: [] }, ['features', 'f', 'desiredProperties']],
    ];
    for (const [path, segments] of where) assert.deepEqual(twinPathSegments(path), segments, path.scope);
  });
});
