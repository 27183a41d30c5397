import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTwinSectionRegistry } from './section-registry';

const DEVICE = 'test:device';

describe('remembered section names', () => {
  it('a name the mapping made wins over the default reading; others are read by the rule', () => {
    const named = createTwinSectionRegistry();
    // A gateway feature whose ID looks like a containers section.
    named.remember('edge:containers:F', { thingId: DEVICE, featureId: 'edge:containers:F' });
    assert.deepEqual(named.resolve(DEVICE, 'edge:containers:F'), { thingId: DEVICE, featureId: 'edge:containers:F' });
    assert.deepEqual(named.recall('edge:containers:F'), { thingId: DEVICE, featureId: 'edge:containers:F' });
    assert.deepEqual(named.resolve(DEVICE, 'edge:containers:G'), { thingId: `${DEVICE}:edge:containers`, featureId: 'G' });
    assert.equal(named.recall('edge:containers:G'), undefined);
    assert.deepEqual(named.resolve(DEVICE, undefined), { thingId: DEVICE });
  });

  it('reads unknown names with the configured child suffixes', () => {
    const named = createTwinSectionRegistry({ childSuffixes: ['sensor'] });
    assert.deepEqual(named.resolve(DEVICE, 'sensor:F'), { thingId: `${DEVICE}:sensor`, featureId: 'F' });
  });

  it('is bounded: the least recently named is forgotten first', () => {
    const named = createTwinSectionRegistry({ maxSections: 2 });
    named.remember('a', { thingId: DEVICE, featureId: 'a' });
    named.remember('b', { thingId: DEVICE, featureId: 'b' });
    named.remember('a', { thingId: DEVICE, featureId: 'a' });
    named.remember('c', { thingId: DEVICE, featureId: 'c' });
    assert.deepEqual(named.entries().map((s) => s.featureId), ['a', 'c']);
    assert.equal(named.recall('b'), undefined);
  });
});
