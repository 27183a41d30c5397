import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredUpdate } from '@ledge/connector/model-connector';
import { syncMarkWrites } from './sync-marks';
import { applyDesired, desiredEvents } from './sync-desired';
import { knownTwins, pushCommands } from './sync-push';
import { parseRetrieveDesiredResponse, retrieveDesiredCommand } from './sync-retrieve';
import { createMemoryTwins, runLocalCommand, testTwinContext, twinCommand, type MemoryTwins } from './testing';
import type { TwinEnvelope, TwinUplink } from './twin-types';

const DEVICE = 'org.eclipse.kanto:test';
const CHILD = 'org.eclipse.kanto:test:edge:containers';

function local(twins: MemoryTwins, action: string, path: string, value?: unknown, thingId = DEVICE): void {
  runLocalCommand(twins, twinCommand(thingId, action, path, value), testTwinContext({ deviceId: DEVICE }));
}
const ackAll = (twins: MemoryTwins, uplinks: readonly TwinUplink[]) => {
  for (const u of uplinks) for (const m of u.marks) twins.apply(syncMarkWrites(twins, m));
};
const summary = (uplinks: readonly TwinUplink[]) => uplinks.map((u) => `${u.envelope.topic.split('/').pop()} ${u.envelope.path}`);

describe('retrieve desired properties (Kanto\'s sync, step 1)', () => {
  it('asks for every feature\'s desired properties with fields, reply-to and a correlation-id', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    local(twins, 'modify', '/features/lamp', {});
    assert.deepEqual(retrieveDesiredCommand(twins, DEVICE, 'r1', testTwinContext({ deviceId: DEVICE, tenantId: 't1' })), {
      topic: 'e',
      envelope: {
        topic: 'org.eclipse.kanto/test/things/twin/commands/retrieve',
        headers: { 'correlation-id': 'r1', 'reply-to': 'command/t1', 'response-required': true },
        path: '/',
        fields: 'features(meter/desiredProperties,lamp/desiredProperties)',
      },
    });
    local(twins, 'modify', '/features/a', {}, CHILD);
    assert.equal(retrieveDesiredCommand(twins, CHILD, 'r2', testTwinContext({ deviceId: DEVICE, tenantId: 't1' }))?.topic, `e/t1/${CHILD}`);
  });

  it('nothing to ask for a thing without features, an unknown thing or a tombstone', () => {
    const twins = createMemoryTwins();
    const ctx = testTwinContext({ deviceId: DEVICE });
    assert.equal(retrieveDesiredCommand(twins, DEVICE, 'r', ctx), undefined);
    local(twins, 'modify', '/attributes', {});
    assert.equal(retrieveDesiredCommand(twins, DEVICE, 'r', ctx), undefined);
    local(twins, 'modify', '/features/f', {});
    local(twins, 'delete', '/');
    assert.equal(retrieveDesiredCommand(twins, DEVICE, 'r', ctx), undefined);
  });

  const answer = (over: Partial<TwinEnvelope> = {}): TwinEnvelope => ({
    topic: 'org.eclipse.kanto/test/things/twin/commands/retrieve',
    headers: { 'correlation-id': 'r1' },
    path: '/',
    value: { features: { meter: { desiredProperties: { x: 5 } } } },
    status: 200,
    ...over,
  });

  it('reads the answer as one replace per stored feature (absent: no desired properties)', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', {});
    local(twins, 'modify', '/features/lamp', {});
    assert.deepEqual(parseRetrieveDesiredResponse(answer(), DEVICE, twins), {
      ok: true,
      desired: [
        { thingId: DEVICE, featureId: 'meter', mode: 'replace', value: { x: 5 } },
        { thingId: DEVICE, featureId: 'lamp', mode: 'replace', value: null },
      ],
    });
    assert.deepEqual(parseRetrieveDesiredResponse(answer(), DEVICE), { ok: true, desired: [{ thingId: DEVICE, featureId: 'meter', mode: 'replace', value: { x: 5 } }] });
    assert.deepEqual(parseRetrieveDesiredResponse(answer({ value: {} }), DEVICE, twins), {
      ok: true,
      desired: [
        { thingId: DEVICE, featureId: 'meter', mode: 'replace', value: null },
        { thingId: DEVICE, featureId: 'lamp', mode: 'replace', value: null },
      ],
    });
  });

  const problems: Array<[string, TwinEnvelope]> = [
    ['an error', answer({ topic: 'org.eclipse.kanto/test/things/twin/errors', value: { status: 404, error: 'things:thing.notfound', message: 'x' }, status: 404 })],
    ['another thing', answer({ topic: 'org.eclipse.kanto/other/things/twin/commands/retrieve' })],
    ['another action', answer({ topic: 'org.eclipse.kanto/test/things/twin/commands/modify' })],
    ['another path', answer({ path: '/features' })],
    ['a status ≥ 400', answer({ status: 403 })],
    ['no status', answer({ status: undefined })],
    ['a value that is not an object', answer({ value: [1] })],
    ['features that are not an object', answer({ value: { features: 'x' } })],
    ['a broken topic', answer({ topic: 'garbage' })],
  ];
  for (const [name, envelope] of problems) {
    it(`${name} is a problem`, () => {
      const r = parseRetrieveDesiredResponse(envelope, DEVICE, createMemoryTwins());
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.problem.length > 0);
    });
  }
});

describe('push commands (sync, step 2)', () => {
  const ctx = () => testTwinContext({ deviceId: DEVICE });

  it('a feature without desired properties is pushed whole; the acknowledgement syncs it', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { definition: ['a:b:1'], properties: { x: 1 } });
    const uplinks = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(uplinks, [
      {
        topic: 'e',
        envelope: {
          topic: 'org.eclipse.kanto/test/things/twin/commands/modify',
          headers: { 'correlation-id': 'id-1', 'response-required': false },
          path: '/features/meter',
          value: { definition: ['a:b:1'], properties: { x: 1 } },
        },
        marks: [{ kind: 'feature', thingId: DEVICE, featureId: 'meter', revision: 2 }],
      },
    ]);
    ackAll(twins, uplinks);
    assert.deepEqual(pushCommands(twins, DEVICE, ctx(), { desiredKnown: true }), []);
  });

  it('with desired properties only properties and definition go up, never the desired ones', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { definition: ['a:b:1'], properties: { x: 1 }, desiredProperties: { x: 2 } });
    local(twins, 'modify', '/features/lamp', { desiredProperties: { on: true } });
    const uplinks = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(summary(uplinks), ['modify /features/meter/properties', 'modify /features/meter/definition', 'modify /features/lamp/properties']);
    assert.deepEqual(uplinks.map((u) => u.marks.length), [0, 1, 1]);
    assert.deepEqual(uplinks[2]?.envelope.value, {});
  });

  it('desired unknown (the retrieve failed): whole only for features the cloud never acknowledged', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/known', { properties: { x: 1 } });
    ackAll(twins, pushCommands(twins, DEVICE, ctx(), { desiredKnown: true }));
    local(twins, 'modify', '/features/known/properties/x', 2);
    local(twins, 'modify', '/features/fresh', { properties: { y: 1 }, desiredProperties: { y: 3 } });
    assert.deepEqual(summary(pushCommands(twins, DEVICE, ctx(), { desiredKnown: false })), ['modify /features/known/properties', 'modify /features/fresh']);
  });

  it('deletions as one merge of /features with null per feature (merge-patch content type)', () => {
    const twins = createMemoryTwins();
    for (const f of ['a', 'b', 'c']) local(twins, 'modify', `/features/${f}`, {});
    ackAll(twins, pushCommands(twins, DEVICE, ctx(), { desiredKnown: true }));
    local(twins, 'delete', '/features/a');
    local(twins, 'delete', '/features/b');
    const uplinks = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(uplinks.map((u) => [u.envelope.topic, u.envelope.path, u.envelope.value, u.envelope.headers['content-type'], u.marks]), [
      ['org.eclipse.kanto/test/things/twin/commands/merge', '/features', { a: null, b: null }, 'application/merge-patch+json', [{ kind: 'deleted', thingId: DEVICE, featureIds: ['a', 'b'] }]],
    ]);
    ackAll(twins, uplinks);
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, []);
  });

  it('thing-level changes as modify /attributes (+ definition, policyId); a tombstone as delete /', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/', { policyId: 'org.eclipse.kanto:p', definition: 'a:b:1', attributes: { site: 1 } });
    const uplinks = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(summary(uplinks), ['modify /attributes', 'modify /definition', 'modify /policyId']);
    assert.deepEqual(uplinks.map((u) => u.marks), [[], [], [{ kind: 'thing', thingId: DEVICE, revision: 1 }]]);
    ackAll(twins, uplinks);
    assert.equal(twins.thing(DEVICE)?.unsynced, undefined);
    local(twins, 'modify', '/features/f', {});
    local(twins, 'delete', '/');
    const del = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(summary(del), ['delete /']);
    ackAll(twins, del);
    assert.equal(twins.thing(DEVICE), undefined);
    assert.deepEqual(knownTwins(twins), []);
  });

  it('every push has a fresh correlation-id and is one-way', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/a', {});
    local(twins, 'modify', '/features/b', {});
    const uplinks = pushCommands(twins, DEVICE, ctx(), { desiredKnown: true });
    assert.deepEqual(uplinks.map((u) => u.envelope.headers), [
      { 'correlation-id': 'id-1', 'response-required': false },
      { 'correlation-id': 'id-2', 'response-required': false },
    ]);
  });
});

describe('desired properties from the cloud', () => {
  const ctx = () => testTwinContext({ deviceId: DEVICE });
  const replace = (featureId: string, value: DesiredUpdate['value'], thingId = DEVICE): DesiredUpdate => ({ thingId, featureId, mode: 'replace', value });

  it('applies them without making the feature unsynced, and announces a modified event', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    ackAll(twins, pushCommands(twins, DEVICE, ctx(), { desiredKnown: true }));
    const out = applyDesired(twins, [replace('meter', { x: 5 })], ctx());
    twins.apply(out.writes);
    assert.deepEqual(twins.feature(DEVICE, 'meter'), { feature: { properties: { x: 1 }, desiredProperties: { x: 5 } }, known: true });
    assert.deepEqual(out.local, [
      {
        topic: 'command///req//modified',
        envelope: {
          topic: 'org.eclipse.kanto/test/things/twin/events/modified',
          headers: { 'response-required': false, 'content-type': 'application/json' },
          path: '/features/meter/desiredProperties',
          value: { x: 5 },
          revision: 3,
          timestamp: '2024-01-01T00:00:00.000Z',
        },
      },
    ]);
    assert.deepEqual(out.conflicts, []);
    const same = applyDesired(twins, [replace('meter', { x: 5 })], ctx());
    assert.deepEqual([same.writes, same.local], [[], []], 'nothing changed: no write, no event');
  });

  it('merge patches; replace with null or {} removes them (event value {})', () => {
    const twins = createMemoryTwins();
    twins.apply(applyDesired(twins, [{ thingId: DEVICE, featureId: 'f', mode: 'merge', value: { a: 1, b: 2 } }], ctx()).writes);
    twins.apply(applyDesired(twins, [{ thingId: DEVICE, featureId: 'f', mode: 'merge', value: { a: null } }], ctx()).writes);
    assert.deepEqual(twins.feature(DEVICE, 'f')?.feature.desiredProperties, { b: 2 });
    const out = applyDesired(twins, [replace('f', null)], ctx());
    twins.apply(out.writes);
    assert.deepEqual(twins.feature(DEVICE, 'f')?.feature, {});
    assert.deepEqual(out.local[0]?.envelope.value, {});
    assert.deepEqual(applyDesired(twins, [replace('f', {})], ctx()).writes, []);
  });

  it('creates a missing thing and feature (known: the cloud has it)', () => {
    const twins = createMemoryTwins();
    twins.apply(applyDesired(twins, [replace('lamp', { on: true }, CHILD)], ctx()).writes);
    assert.deepEqual(twins.feature(CHILD, 'lamp'), { feature: { desiredProperties: { on: true } }, known: true });
    assert.deepEqual(knownTwins(twins), [{ thingId: CHILD, featureIds: ['lamp'] }]);
  });

  it('conflict: a local desired change not yet synced loses to the cloud\'s; the event says so', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    ackAll(twins, pushCommands(twins, DEVICE, ctx(), { desiredKnown: true }));
    local(twins, 'modify', '/features/meter/desiredProperties', { x: 9 });
    const out = applyDesired(twins, [replace('meter', { x: 5 })], ctx());
    twins.apply(out.writes);
    assert.deepEqual(out.conflicts, [{ thingId: DEVICE, featureId: 'meter', local: { x: 9 }, cloud: { x: 5 } }]);
    assert.equal(out.local[0]?.envelope.headers['ledge-sync-conflict'], 'cloud');
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature.desiredProperties, { x: 5 });
    // Properties are the device's: the feature stays unsynced, and the push sends them, not the desired ones.
    assert.deepEqual(summary(pushCommands(twins, DEVICE, ctx(), { desiredKnown: true })), ['modify /features/meter/properties']);
  });

  it('skips what is not this gateway\'s, invalid, or deleted locally and not yet synchronised', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/gone', {});
    local(twins, 'delete', '/features/gone');
    local(twins, 'modify', '/features/x', {}, CHILD);
    local(twins, 'delete', '/', undefined, CHILD);
    const updates: DesiredUpdate[] = [
      replace('f', { a: 1 }, 'org.eclipse.kanto:other'),
      replace('f', { a: 1 }, 'garbage'),
      replace('bad/id', { a: 1 }),
      { thingId: DEVICE, featureId: 'f', mode: 'replace', value: [1] as unknown as null },
      replace('gone', { a: 1 }),
      replace('x', { a: 1 }, CHILD),
    ];
    const out = applyDesired(twins, updates, ctx());
    assert.deepEqual([out.writes, out.local, out.skipped.length], [[], [], 6]);
  });

  it('round trip: retrieve, answer, apply, push', () => {
    const twins = createMemoryTwins();
    local(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    const request = retrieveDesiredCommand(twins, DEVICE, 'r1', ctx());
    assert.ok(request);
    const answer: TwinEnvelope = { topic: request.envelope.topic, headers: { 'correlation-id': 'r1' }, path: '/', value: { features: { meter: { desiredProperties: { x: 7 } } } }, status: 200 };
    const parsed = parseRetrieveDesiredResponse(answer, DEVICE, twins);
    assert.ok(parsed.ok);
    twins.apply(applyDesired(twins, parsed.desired, ctx()).writes);
    assert.deepEqual(summary(pushCommands(twins, DEVICE, ctx(), { desiredKnown: true })), ['modify /features/meter/properties']);
  });

  it('desiredEvents: the same events without a store (replace → modified, merge → merged with the patch)', () => {
    const events = desiredEvents(
      [replace('meter', { x: 1 }), { thingId: CHILD, featureId: 'f', mode: 'merge', value: { a: null } }, replace('f', null, 'org.eclipse.kanto:other')],
      ctx(),
    );
    assert.deepEqual(events.map((e) => [e.topic, e.envelope.topic, e.envelope.path, e.envelope.value, e.envelope.revision]), [
      ['command///req//modified', 'org.eclipse.kanto/test/things/twin/events/modified', '/features/meter/desiredProperties', { x: 1 }, undefined],
      [`command//${CHILD}/req//merged`, 'org.eclipse.kanto/test:edge:containers/things/twin/events/merged', '/features/f/desiredProperties', { a: null }, undefined],
    ]);
  });
});
