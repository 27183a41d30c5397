import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTwins } from './testing/memory-twins';
import { createThingDraft } from './twin-draft';

const T = 'a:b';
const now = () => 'T';

describe('createThingDraft', () => {
  it('collects one write per thing; reads see its own changes', () => {
    const twins = createMemoryTwins();
    const draft = createThingDraft(twins, T, now);
    assert.equal(draft.write(), undefined);
    assert.equal(draft.provision(), 1);
    const r = draft.bump();
    draft.putFeature('f', { properties: { x: 1 } }, r);
    draft.putFeature('g', {}, r);
    draft.removeFeature('g');
    assert.deepEqual(draft.featureIds(), ['f']);
    assert.deepEqual(draft.write(), {
      thingId: T,
      thing: { thingId: T, revision: 2, modified: 'T', deletedFeatures: ['g'] },
      features: { f: { feature: { properties: { x: 1 } }, unsynced: 2 }, g: null },
    });
  });

  it('a tombstone hides the thing; provision revives it with its revision and pending deletions', () => {
    const twins = createMemoryTwins();
    const d1 = createThingDraft(twins, T, now);
    d1.provision();
    d1.putFeature('f', {}, d1.bump());
    twins.apply([d1.write()!]);
    const d2 = createThingDraft(twins, T, now);
    d2.remove(3);
    twins.apply([d2.write()!]);
    const d3 = createThingDraft(twins, T, now);
    assert.equal(d3.thing(), undefined);
    assert.deepEqual(d3.featureIds(), []);
    assert.equal(d3.record()?.removed, 3);
    assert.equal(d3.provision(), 4);
    assert.deepEqual(d3.thing(), { thingId: T, revision: 4, modified: 'T', deletedFeatures: ['f'] });
  });

  it('a cloud feature keeps the unsynced mark and known flag; a new one is known', () => {
    const twins = createMemoryTwins();
    twins.apply([{ thingId: T, thing: { thingId: T, revision: 1, modified: 'T', deletedFeatures: [] }, features: { f: { feature: {}, unsynced: 1 } } }]);
    const d = createThingDraft(twins, T, now);
    d.putCloudFeature('f', { desiredProperties: { a: 1 } });
    d.putCloudFeature('g', { desiredProperties: { b: 1 } });
    assert.deepEqual(d.write()?.features, { f: { feature: { desiredProperties: { a: 1 } }, unsynced: 1 }, g: { feature: { desiredProperties: { b: 1 } }, known: true } });
  });
});
