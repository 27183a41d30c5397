import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTwinSectionName, twinSectionName } from './sections';

const DEVICE = 'test:device';

describe('twin section names (Kanto aws-connector naming, §2.2)', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    [DEVICE, undefined, undefined],
    [DEVICE, 'test', 'test'],
    [DEVICE, 'Container:abc', 'Container:abc'],
    [`${DEVICE}:edge:containers`, undefined, 'edge:containers'],
    [`${DEVICE}:edge:containers`, 'ContainerFactory', 'edge:containers:ContainerFactory'],
    [`${DEVICE}:edge:containers`, 'Container:abc', 'edge:containers:Container:abc'],
  ];
  for (const [thingId, featureId, name] of cases) {
    it(`${thingId} ${featureId ?? '(attributes)'} ⇄ ${name ?? '(classic)'}`, () => {
      assert.deepEqual(twinSectionName(DEVICE, thingId, featureId), { ok: true, name });
      assert.deepEqual(parseTwinSectionName(DEVICE, name), featureId === undefined ? { thingId } : { thingId, featureId });
    });
  }

  it('other children are named generically and read back with their suffix listed', () => {
    assert.deepEqual(twinSectionName(DEVICE, `${DEVICE}:sensor`, 'F'), { ok: true, name: 'sensor:F' });
    assert.deepEqual(parseTwinSectionName(DEVICE, 'sensor:F'), { thingId: DEVICE, featureId: 'sensor:F' });
    assert.deepEqual(parseTwinSectionName(DEVICE, 'sensor:F', { childSuffixes: ['sensor'] }), { thingId: `${DEVICE}:sensor`, featureId: 'F' });
  });

  it('a thing that is not the gateway\'s has no section', () => {
    for (const thingId of ['test:other', `${DEVICE}:`, 'test:devices', '']) assert.equal(twinSectionName(DEVICE, thingId).ok, false);
    assert.equal(twinSectionName(DEVICE, DEVICE, '').ok, false);
  });

  it('an empty name is the classic section', () => assert.deepEqual(parseTwinSectionName(DEVICE, ''), { thingId: DEVICE }));
});
