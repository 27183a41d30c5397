// What the cloud's acknowledgement of a twin change (the PUBACK of a forward or of a sync push) changes
// in the store. A mark clears an unsynced revision only if it is still the one the message carried: a
// local change made in between stays unsynced (Kanto's FeatureSynchronized/ThingSynchronized, with the
// revision compared instead of counted).
import type { FeatureRecord, SyncMark, ThingRecord, TwinRead, TwinWrite } from './twin-types';

export function syncMarkWrites(read: TwinRead, mark: SyncMark): TwinWrite[] {
  const thing = read.thing(mark.thingId);
  if (thing === undefined) return [];
  switch (mark.kind) {
    case 'feature': {
      if (thing.removed !== undefined) return [];
      const record = read.feature(mark.thingId, mark.featureId);
      if (record === undefined) return [];
      const synced = record.unsynced === mark.revision;
      if (!synced && record.known === true) return [];
      const next: FeatureRecord = { feature: record.feature, known: true, ...(synced || record.unsynced === undefined ? {} : { unsynced: record.unsynced }) };
      return [{ thingId: mark.thingId, features: { [mark.featureId]: next } }];
    }
    case 'thing': {
      if (thing.removed !== undefined) return thing.removed === mark.revision ? [{ thingId: mark.thingId, thing: null }] : [];
      if (thing.unsynced !== mark.revision) return [];
      const { unsynced: _synced, ...rest } = thing;
      return [{ thingId: mark.thingId, thing: rest satisfies ThingRecord }];
    }
    case 'deleted': {
      const acknowledged = new Set(mark.featureIds);
      const remaining = thing.deletedFeatures.filter((id) => !acknowledged.has(id));
      if (remaining.length === thing.deletedFeatures.length) return [];
      return [{ thingId: mark.thingId, thing: { ...thing, deletedFeatures: remaining } }];
    }
  }
}
