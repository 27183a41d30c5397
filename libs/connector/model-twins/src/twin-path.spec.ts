import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTwinPath, parseTwinPath, type TwinPath } from './twin-path';

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
    it(`parses ${path}`, () => {
      assert.deepEqual(parseTwinPath(path), { ok: true, path: expected });
      assert.equal(formatTwinPath(expected), path);
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
    });
  }

  it('bounds the pointer depth by the limits', () => {
    assert.equal(parseTwinPath('/attributes/a/b/c', { maxLength: 100, maxDepth: 2 }).ok, false);
    assert.equal(parseTwinPath('/attributes/a/b', { maxLength: 100, maxDepth: 2 }).ok, true);
  });
});
