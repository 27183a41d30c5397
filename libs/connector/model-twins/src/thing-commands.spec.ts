import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleLocalTwinCommand } from './local-commands';
import { createMemoryTwins, runLocalCommand, testTwinContext, type HandledCommand as Handled, type MemoryTwins } from './testing';
import type { TwinEnvelope } from './twin-types';

const DEVICE = 'org.eclipse.kanto:test';
const CHILD = 'org.eclipse.kanto:test:edge:containers';
const ctx = testTwinContext({ deviceId: DEVICE, tenantId: 't1' });

const run = (twins: MemoryTwins, envelope: TwinEnvelope): Handled => runLocalCommand(twins, envelope, ctx);
const on = (thingId: string) => (action: string, path: string, value?: unknown, extra: Partial<TwinEnvelope> = {}): TwinEnvelope => {
  const [ns, name] = [thingId.slice(0, thingId.indexOf(':')), thingId.slice(thingId.indexOf(':') + 1)];
  return { topic: `${ns}/${name}/things/twin/commands/${action}`, headers: { 'correlation-id': 'c1' }, path, ...(value === undefined ? {} : { value }), ...extra };
};
const dev = on(DEVICE);
const child = on(CHILD);
const status = (o: Handled) => o.local.find((m) => m.topic.endsWith('-response'))?.envelope.status;
const error = (o: Handled) => (o.local.find((m) => m.topic.endsWith('-response'))?.envelope.value as { error?: string } | undefined)?.error;

describe('thing commands', () => {
  it('create: 201 with the thing, created event at /; a second create: things:thing.conflict 409', () => {
    const twins = createMemoryTwins();
    const thing = { thingId: DEVICE, policyId: 'org.eclipse.kanto:p', attributes: { a: 1 }, features: { meter: { definition: ['a:b:1'], properties: { x: 1 } } } };
    const o = run(twins, dev('create', '/', thing));
    assert.deepEqual(o.local.map((m) => m.topic), ['command///req//create-response', 'command///req//created']);
    assert.deepEqual(o.local[0]?.envelope.value, thing);
    assert.equal(status(o), 201);
    assert.deepEqual(o.local[1]?.envelope.value, thing);
    assert.equal(o.local[1]?.envelope.revision, 1);
    const again = run(twins, dev('create', '/', {}));
    assert.deepEqual([status(again), error(again)], [409, 'things:thing.conflict']);
    assert.equal(again.forward, undefined);
  });

  it('modify: the thingId in the value must be the topic\'s (things:id.notsettable)', () => {
    const twins = createMemoryTwins();
    const o = run(twins, dev('modify', '/', { thingId: 'org.eclipse.kanto:other' }));
    assert.deepEqual([status(o), error(o)], [400, 'things:id.notsettable']);
    assert.deepEqual(o.writes, []);
  });

  it('modify of the thing replaces its features: the missing ones become pending deletions', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/', { features: { a: {}, b: {} } }));
    const o = run(twins, dev('modify', '/', { attributes: { x: 1 }, features: { b: { properties: { p: 1 } } } }));
    assert.equal(status(o), 204);
    assert.deepEqual(twins.featureIds(DEVICE), ['b']);
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, ['a']);
    assert.deepEqual(o.forward?.marks, [
      { kind: 'thing', thingId: DEVICE, revision: 2 },
      { kind: 'feature', thingId: DEVICE, featureId: 'b', revision: 2 },
      { kind: 'deleted', thingId: DEVICE, featureIds: ['a'] },
    ]);
  });

  it('delete: a tombstone until the cloud acknowledges; the thing reads as absent', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/features/meter', { properties: { x: 1 } }));
    const o = run(twins, dev('delete', '/'));
    assert.equal(status(o), 204);
    assert.deepEqual(o.local[1]?.envelope, {
      topic: 'org.eclipse.kanto/test/things/twin/events/deleted',
      headers: { 'response-required': false, 'correlation-id': 'c1' },
      path: '/',
      revision: 3,
      timestamp: '2024-01-01T00:00:00.000Z',
    });
    assert.deepEqual(twins.dump(DEVICE), {
      thing: { thingId: DEVICE, revision: 3, modified: '2024-01-01T00:00:00.000Z', deletedFeatures: ['meter'], removed: 3 },
      features: {},
    });
    assert.deepEqual(o.forward, {
      topic: 'e',
      envelope: { topic: 'org.eclipse.kanto/test/things/twin/commands/delete', headers: { 'correlation-id': 'c1', 'response-required': false }, path: '/' },
      marks: [{ kind: 'thing', thingId: DEVICE, revision: 3 }],
    });
    assert.equal(error(run(twins, dev('retrieve', '/'))), 'things:thing.notfound');
    assert.equal(error(run(twins, dev('delete', '/'))), 'things:thing.notfound');
  });

  it('a thing re-created over its tombstone continues its revisions and keeps the pending deletions', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/features/meter', { properties: {} }));
    run(twins, dev('delete', '/'));
    run(twins, dev('modify', '/features/lamp', { properties: {} }));
    const thing = twins.thing(DEVICE);
    assert.equal(thing?.removed, undefined);
    assert.equal(thing?.revision, 5);
    assert.deepEqual(thing?.deletedFeatures, ['meter']);
  });

  it('/features: retrieve, modify (201 then 204), delete; features.notfound when there are none', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/attributes', {}));
    assert.equal(error(run(twins, dev('retrieve', '/features'))), 'things:features.notfound');
    assert.equal(status(run(twins, dev('modify', '/features', { a: { properties: { x: 1 } } }))), 201);
    assert.equal(status(run(twins, dev('modify', '/features', { a: {}, b: {} }))), 204);
    const del = run(twins, dev('delete', '/features'));
    assert.equal(status(del), 204);
    assert.deepEqual(del.forward?.marks, [{ kind: 'deleted', thingId: DEVICE, featureIds: ['a', 'b'] }]);
    assert.equal(error(run(twins, dev('delete', '/features'))), 'things:features.notfound');
  });
});

describe('attributes, definition, policyId (beyond Kanto)', () => {
  it('modify, retrieve, merge and delete attributes', () => {
    const twins = createMemoryTwins();
    assert.equal(status(run(twins, dev('modify', '/attributes/location', { lat: 1 }))), 201);
    assert.equal(status(run(twins, dev('modify', '/attributes/location/lat', 2))), 204);
    run(twins, dev('merge', '/attributes', { site: 's1' }));
    assert.deepEqual(run(twins, dev('retrieve', '/attributes')).local[0]?.envelope.value, { location: { lat: 2 }, site: 's1' });
    assert.equal(status(run(twins, dev('delete', '/attributes/site'))), 204);
    assert.deepEqual(twins.thing(DEVICE)?.attributes, { location: { lat: 2 } });
    assert.equal(twins.thing(DEVICE)?.unsynced, twins.thing(DEVICE)?.revision);
  });

  it('definition and policyId; policyId is not deletable; an unknown policyId is asked of the cloud', () => {
    const twins = createMemoryTwins();
    assert.equal(handleLocalTwinCommand(twins, dev('retrieve', '/policyId'), ctx).handled, true, 'thing not found is answered');
    run(twins, dev('modify', '/definition', 'org.eclipse.kanto:Gateway:1.0.0'));
    assert.deepEqual(handleLocalTwinCommand(twins, dev('retrieve', '/policyId'), ctx), { handled: false });
    run(twins, dev('modify', '/policyId', 'org.eclipse.kanto:policy'));
    assert.equal(run(twins, dev('retrieve', '/policyId')).local[0]?.envelope.value, 'org.eclipse.kanto:policy');
    assert.equal(run(twins, dev('retrieve', '/definition')).local[0]?.envelope.value, 'org.eclipse.kanto:Gateway:1.0.0');
    assert.equal(error(run(twins, dev('delete', '/policyId'))), 'things:policyId.notdeletable');
    assert.equal(error(run(twins, dev('merge', '/policyId', null))), 'things:policyId.notdeletable');
    assert.equal(status(run(twins, dev('delete', '/definition'))), 204);
    assert.equal(twins.thing(DEVICE)?.definition, undefined);
  });

  it('feature definition', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/features/meter', {}));
    assert.equal(status(run(twins, dev('modify', '/features/meter/definition', ['org.eclipse.kanto:Meter:1.0.0']))), 201);
    assert.deepEqual(run(twins, dev('retrieve', '/features/meter/definition')).local[0]?.envelope.value, ['org.eclipse.kanto:Meter:1.0.0']);
    assert.equal(status(run(twins, dev('delete', '/features/meter/definition'))), 204);
    assert.equal(error(run(twins, dev('retrieve', '/features/meter/definition'))), 'things:feature.definition.notfound');
  });
});

describe('sub-things (<deviceId>:…)', () => {
  it('answer on command//<ns>:<name>/req//…, forward on e/<tenant>/<thingId>', () => {
    const twins = createMemoryTwins();
    const o = run(twins, child('modify', '/features/ContainerFactory', { properties: {} }));
    assert.deepEqual(o.local.map((m) => m.topic), [`command//${CHILD}/req//created`, `command//${CHILD}/req//modify-response`, `command//${CHILD}/req//created`]);
    assert.equal(o.forward?.topic, `e/t1/${CHILD}`);
    const err = run(twins, child('retrieve', '/features/nope'));
    assert.equal(err.local[0]?.topic, `command//${CHILD}/req//errors-response`);
    assert.equal(err.local[0]?.envelope.topic, 'org.eclipse.kanto/test:edge:containers/things/twin/errors');
  });
});

describe('search-like retrieve _/_/things/twin/commands/retrieve', () => {
  const search = (value: unknown, fields?: string): TwinEnvelope => ({
    topic: '_/_/things/twin/commands/retrieve',
    headers: { 'correlation-id': 's1' },
    path: '/',
    ...(value === undefined ? {} : { value }),
    ...(fields === undefined ? {} : { fields }),
  });

  it('answers the stored things in order, unknown ones left out', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/features/meter', { properties: { x: 1 } }));
    run(twins, child('modify', '/attributes', { a: 1 }));
    const o = run(twins, search({ thingIds: [CHILD, 'org.eclipse.kanto:unknown', DEVICE] }));
    assert.equal(o.local[0]?.topic, 'command//_:_/req//retrieve-response');
    assert.deepEqual(o.local[0]?.envelope.value, [
      { thingId: CHILD, attributes: { a: 1 } },
      { thingId: DEVICE, features: { meter: { properties: { x: 1 } } } },
    ]);
    const fields = run(twins, search({ thingIds: [DEVICE, CHILD] }, 'thingId'));
    assert.deepEqual(fields.local[0]?.envelope.value, [{ thingId: DEVICE }, { thingId: CHILD }]);
  });

  for (const [name, value, code] of [
    ['no value', undefined, 'json.invalid'],
    ['empty thingIds', { thingIds: [] }, 'json.invalid'],
    ['thingIds not a list', { thingIds: 'a:b' }, 'json.invalid'],
    ['an ID without a namespace', { thingIds: ['nonamespace'] }, 'things:id.invalid'],
    ['an ID that is not a string', { thingIds: [7] }, 'things:id.invalid'],
  ] as const) {
    it(`${name} → ${code}`, () => {
      const o = run(createMemoryTwins(), search(value));
      assert.equal(o.local[0]?.topic, 'command//_:_/req//errors-response');
      assert.equal((o.local[0]?.envelope.value as { error: string }).error, code);
    });
  }
});

describe('retrieve with a field selector', () => {
  it('narrows the thing; a broken selector is json.fieldselector.invalid', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/', { attributes: { a: 1 }, features: { meter: { properties: { x: 1 }, desiredProperties: { x: 2 } }, lamp: { properties: {} } } }));
    const o = run(twins, dev('retrieve', '/', undefined, { fields: 'thingId,features(meter/desiredProperties,lamp/desiredProperties)' }));
    assert.deepEqual(o.local[0]?.envelope.value, { thingId: DEVICE, features: { meter: { desiredProperties: { x: 2 } } } });
    assert.equal(error(run(twins, dev('retrieve', '/', undefined, { fields: 'features(' }))), 'json.fieldselector.invalid');
  });
});

describe('merge creating a thing', () => {
  it('leaves the thing\'s own fields to the cloud when the patch does not touch them', () => {
    const twins = createMemoryTwins();
    const o = run(twins, dev('merge', '/', { features: { meter: { properties: { x: 1 } } } }));
    assert.equal(status(o), 204);
    assert.equal(twins.thing(DEVICE)?.unsynced, undefined);
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature, { properties: { x: 1 } });
  });

  it('a merge null of a feature the twin lacks is feature.notfound, forwarded, nothing written', () => {
    const twins = createMemoryTwins();
    run(twins, dev('modify', '/attributes', {}));
    const o = run(twins, dev('merge', '/features/ghost', null));
    assert.equal(error(o), 'things:feature.notfound');
    assert.deepEqual(o.writes, []);
    assert.deepEqual(o.forward?.marks, []);
  });
});
