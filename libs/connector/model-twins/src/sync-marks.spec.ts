import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { syncMarkWrites } from './sync-marks';
import { createMemoryTwins, runLocalCommand, testTwinContext, twinCommand, type HandledCommand, type MemoryTwins } from './testing';
import type { TwinUplink } from './twin-types';

const DEVICE = 'org.eclipse.kanto:test';
const ctx = testTwinContext({ deviceId: DEVICE });

function run(twins: MemoryTwins, action: string, path: string, value?: unknown): HandledCommand {
  return runLocalCommand(twins, twinCommand(DEVICE, action, path, value), ctx);
}
/** The cloud acknowledged the forward: apply its marks. */
function ack(twins: MemoryTwins, uplink: TwinUplink | undefined): void {
  assert.ok(uplink);
  for (const mark of uplink.marks) twins.apply(syncMarkWrites(twins, mark));
}

describe('revisions and unsynced marks', () => {
  it('every change increments the revision; the changed feature is unsynced at it', () => {
    const twins = createMemoryTwins();
    run(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    assert.equal(twins.thing(DEVICE)?.revision, 2, 'auto-provisioning is revision 1');
    assert.deepEqual(twins.feature(DEVICE, 'meter'), { feature: { properties: { x: 1 } }, unsynced: 2 });
    run(twins, 'modify', '/features/meter/properties/x', 2);
    run(twins, 'modify', '/features/lamp', {});
    assert.equal(twins.thing(DEVICE)?.revision, 4);
    assert.equal(twins.feature(DEVICE, 'meter')?.unsynced, 3);
    assert.equal(twins.feature(DEVICE, 'lamp')?.unsynced, 4);
    assert.equal(twins.thing(DEVICE)?.unsynced, undefined, 'feature changes leave the thing\'s own fields in sync');
  });

  it('the forward is the command, one-way, on e; its acknowledgement syncs the feature and makes it known', () => {
    const twins = createMemoryTwins();
    const o = run(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    assert.deepEqual(o.forward, {
      topic: 'e',
      envelope: { topic: 'org.eclipse.kanto/test/things/twin/commands/modify', headers: { 'response-required': false }, path: '/features/meter', value: { properties: { x: 1 } } },
      marks: [{ kind: 'feature', thingId: DEVICE, featureId: 'meter', revision: 2 }],
    });
    ack(twins, o.forward);
    assert.deepEqual(twins.feature(DEVICE, 'meter'), { feature: { properties: { x: 1 } }, known: true });
  });

  it('a mark does not clear a newer local change made before the acknowledgement', () => {
    const twins = createMemoryTwins();
    const first = run(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    run(twins, 'modify', '/features/meter', { properties: { x: 2 } });
    ack(twins, first.forward);
    assert.deepEqual(twins.feature(DEVICE, 'meter'), { feature: { properties: { x: 2 } }, unsynced: 3, known: true });
  });

  it('a partial change carries the feature only when it was in sync with a cloud that has it', () => {
    const twins = createMemoryTwins();
    const created = run(twins, 'modify', '/features/meter', { properties: { x: 1 } });
    const partialOfUnknown = run(twins, 'modify', '/features/meter/properties/y', 1);
    assert.deepEqual(partialOfUnknown.forward?.marks, [], 'unsynced before: the sync pushes the feature whole');
    ack(twins, created.forward);
    run(twins, 'modify', '/features/meter', { properties: { x: 1, y: 1 } }); // whole again
    ack(twins, { topic: 'e', envelope: created.forward!.envelope, marks: [{ kind: 'feature', thingId: DEVICE, featureId: 'meter', revision: 4 }] });
    assert.equal(twins.feature(DEVICE, 'meter')?.unsynced, undefined);
    const partial = run(twins, 'modify', '/features/meter/properties/y', 2);
    assert.deepEqual(partial.forward?.marks, [{ kind: 'feature', thingId: DEVICE, featureId: 'meter', revision: 5 }]);
    ack(twins, partial.forward);
    assert.equal(twins.feature(DEVICE, 'meter')?.unsynced, undefined);
  });

  it('a deleted feature is pending until acknowledged; a re-create removes it from the pending deletions', () => {
    const twins = createMemoryTwins();
    run(twins, 'modify', '/features/a', {});
    run(twins, 'modify', '/features/b', {});
    const del = run(twins, 'delete', '/features/a');
    assert.deepEqual(del.forward?.marks, [{ kind: 'deleted', thingId: DEVICE, featureIds: ['a'] }]);
    run(twins, 'delete', '/features/b');
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, ['a', 'b']);
    run(twins, 'modify', '/features/b', {});
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, ['a']);
    ack(twins, del.forward);
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, []);
  });

  it('thing-level changes: unsynced on the thing, cleared by the matching mark only', () => {
    const twins = createMemoryTwins();
    run(twins, 'modify', '/features/f', {});
    const first = run(twins, 'modify', '/attributes/a', 1);
    assert.deepEqual(first.forward?.marks, [{ kind: 'thing', thingId: DEVICE, revision: 3 }]);
    const second = run(twins, 'modify', '/attributes/b', 1);
    assert.deepEqual(second.forward?.marks, [], 'the fields were unsynced before: the sync pushes them whole');
    ack(twins, first.forward);
    assert.equal(twins.thing(DEVICE)?.unsynced, 4);
  });

  it('an acknowledged thing delete removes the tombstone; a stale mark does not', () => {
    const twins = createMemoryTwins();
    run(twins, 'modify', '/features/f', {});
    const del = run(twins, 'delete', '/');
    assert.deepEqual(syncMarkWrites(twins, { kind: 'thing', thingId: DEVICE, revision: 2 }), []);
    ack(twins, del.forward);
    assert.equal(twins.thing(DEVICE), undefined);
    assert.deepEqual(twins.featureIds(DEVICE), []);
  });

  it('marks of unknown things and features write nothing', () => {
    const twins = createMemoryTwins();
    assert.deepEqual(syncMarkWrites(twins, { kind: 'feature', thingId: DEVICE, featureId: 'x', revision: 1 }), []);
    assert.deepEqual(syncMarkWrites(twins, { kind: 'deleted', thingId: DEVICE, featureIds: ['x'] }), []);
    run(twins, 'modify', '/attributes', {});
    assert.deepEqual(syncMarkWrites(twins, { kind: 'feature', thingId: DEVICE, featureId: 'x', revision: 1 }), []);
    assert.deepEqual(syncMarkWrites(twins, { kind: 'deleted', thingId: DEVICE, featureIds: ['x'] }), []);
  });
});
