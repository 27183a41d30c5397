// An in-memory TwinRead that applies TwinWrites, for specs: the store's contract in a few lines.
import type { FeatureRecord, ThingRecord, TwinContext, TwinRead, TwinWrite } from '../twin-types';

export interface MemoryTwins extends TwinRead {
  apply(writes: readonly TwinWrite[]): void;
  /** A thing and its features as one plain object, for assertions. */
  dump(thingId: string): { thing: ThingRecord | undefined; features: Record<string, FeatureRecord> };
}

export function createMemoryTwins(): MemoryTwins {
  const things = new Map<string, ThingRecord>();
  const features = new Map<string, Map<string, FeatureRecord>>();
  const read: MemoryTwins = {
    thingIds: () => [...things.keys()],
    thing: (id) => things.get(id),
    featureIds: (id) => [...(features.get(id)?.keys() ?? [])],
    feature: (id, f) => features.get(id)?.get(f),
    apply(writes) {
      for (const w of writes) {
        if (w.thing === null) {
          things.delete(w.thingId);
          features.delete(w.thingId);
          continue;
        }
        if (w.thing !== undefined) things.set(w.thingId, w.thing);
        for (const [id, record] of Object.entries(w.features ?? {})) {
          let map = features.get(w.thingId);
          if (map === undefined) features.set(w.thingId, (map = new Map()));
          if (record === null) map.delete(id);
          else map.set(id, record);
        }
      }
    },
    dump: (id) => ({ thing: things.get(id), features: Object.fromEntries(features.get(id) ?? []) }),
  };
  return read;
}

/** A TwinContext with a fixed clock (2024-01-01T00:00:00.000Z) and counting correlation-ids. */
export function testTwinContext(overrides: Partial<TwinContext> = {}): TwinContext {
  let n = 0;
  return { deviceId: 'org.eclipse.kanto:test', tenantId: 't1', now: () => Date.UTC(2024, 0, 1), newId: () => `id-${++n}`, ...overrides };
}
