// The local digital twin on disk (issue 20): model-twins' records kept in the durable record store, one
// record per thing (`t\0<thingId>`) and one per feature (`f\0<thingId>\0<featureId>`), so a property
// change rewrites one feature. The writes of one change are one store batch: all of it survives a crash, or none.
// An index of thing → feature IDs is kept in memory (built on open) so reads never scan the store.
import type { FeatureRecord, ThingRecord, TwinRead, TwinWrite } from '@ledge/connector/model-twins';

/** What the twin store needs of the record store (data-access-store's RecordStore). */
export interface TwinRecords {
  get(key: string): unknown;
  keys(prefix?: string): string[];
  batch(ops: readonly TwinRecordOp[]): void;
  flush(): Promise<void>;
}
export type TwinRecordOp = { readonly put: readonly [string, unknown] } | { readonly delete: string } | { readonly deletePrefix: string };

export interface TwinStore extends TwinRead {
  /** Applies the writes in memory and appends them as one atomic batch (throws, changing nothing, if the store refuses it); flush() makes them durable. */
  apply(writes: readonly TwinWrite[]): void;
  flush(): Promise<void>;
}

const SEP = '\u0000';
const thingKey = (thingId: string) => `t${SEP}${thingId}`;
const featurePrefix = (thingId: string) => `f${SEP}${thingId}${SEP}`;
const featureKey = (thingId: string, featureId: string) => `${featurePrefix(thingId)}${featureId}`;

export function createTwinStore(records: TwinRecords): TwinStore {
  const index = new Map<string, Set<string>>();
  for (const key of records.keys(`t${SEP}`)) index.set(key.slice(2), new Set());
  for (const key of records.keys(`f${SEP}`)) {
    const rest = key.slice(2);
    const at = rest.indexOf(SEP);
    if (at < 0) continue;
    const thingId = rest.slice(0, at);
    let set = index.get(thingId);
    if (set === undefined) index.set(thingId, (set = new Set()));
    set.add(rest.slice(at + 1));
  }

  return {
    thingIds: () => [...index.keys()].filter((id) => records.get(thingKey(id)) !== undefined),
    thing: (thingId) => records.get(thingKey(thingId)) as ThingRecord | undefined,
    featureIds: (thingId) => [...(index.get(thingId) ?? [])],
    feature: (thingId, featureId) => records.get(featureKey(thingId, featureId)) as FeatureRecord | undefined,
    apply(writes) {
      // One batch for all of it (all or nothing across a crash, and a refused batch changes nothing);
      // the index follows only once the records took it.
      const ops: TwinRecordOp[] = [];
      const indexChanges: (() => void)[] = [];
      for (const w of writes) {
        if (w.thing === null) {
          ops.push({ delete: thingKey(w.thingId) }, { deletePrefix: featurePrefix(w.thingId) });
          indexChanges.push(() => index.delete(w.thingId));
        } else if (w.thing !== undefined) {
          ops.push({ put: [thingKey(w.thingId), w.thing] });
        }
        for (const [featureId, record] of Object.entries(w.features ?? {})) {
          ops.push(record === null ? { delete: featureKey(w.thingId, featureId) } : { put: [featureKey(w.thingId, featureId), record] });
          indexChanges.push(() => {
            let features = index.get(w.thingId);
            if (features === undefined) index.set(w.thingId, (features = new Set()));
            if (record === null) features.delete(featureId);
            else features.add(featureId);
          });
        }
        if (w.thing !== null && w.thing !== undefined) indexChanges.push(() => void (index.has(w.thingId) || index.set(w.thingId, new Set())));
      }
      if (ops.length === 0) return;
      records.batch(ops);
      for (const change of indexChanges) change();
    },
    flush: () => records.flush(),
  };
}
