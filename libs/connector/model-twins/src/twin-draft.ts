// A working copy of one thing during one command: reads fall through to the store, changes collect
// into a single TwinWrite. The bookkeeping rules live here, once: every change increments the thing's
// revision; a local change marks what it touched unsynced at that revision; a deleted feature is
// remembered until the cloud acknowledges its deletion; a deleted thing leaves a tombstone.
import type { ThingFields } from './twin-json';
import type { FeatureRecord, ThingRecord, TwinFeature, TwinRead, TwinWrite } from './twin-types';

export interface ThingDraft {
  readonly thingId: string;
  /** The thing, undefined when absent or a tombstone. */
  thing(): ThingRecord | undefined;
  /** The stored record, tombstones included. */
  record(): ThingRecord | undefined;
  featureIds(): readonly string[];
  feature(featureId: string): FeatureRecord | undefined;
  /** Every feature of the live thing. */
  features(): readonly (readonly [string, TwinFeature])[];
  /** Creates the thing (reviving a tombstone keeps its revision and pending deletions); its revision. */
  provision(): number;
  /** Starts a change: the thing's next revision. */
  bump(): number;
  /** The thing's own fields, changed locally at `revision` (unsynced). */
  setFields(fields: ThingFields, revision: number): void;
  /** A feature changed locally at `revision` (unsynced); no longer a pending deletion. */
  putFeature(featureId: string, feature: TwinFeature, revision: number): void;
  /** A feature deleted locally: its deletion is pending until the cloud acknowledges it. */
  removeFeature(featureId: string): void;
  /** A feature as the cloud has it (desired properties from the cloud): unsynced mark and `known` kept. */
  putCloudFeature(featureId: string, feature: TwinFeature): void;
  /** Deletes the thing locally at `revision`: a tombstone with every feature pending deletion. */
  remove(revision: number): void;
  /** Everything changed, as one write; undefined when nothing changed. */
  write(): TwinWrite | undefined;
}

export function createThingDraft(read: TwinRead, thingId: string, nowIso: () => string): ThingDraft {
  let record: ThingRecord | null | undefined = read.thing(thingId);
  let recordChanged = false;
  const features = new Map<string, FeatureRecord | null>();

  const live = (): ThingRecord | undefined => (record && record.removed === undefined ? record : undefined);
  const setRecord = (next: ThingRecord | null) => {
    record = next;
    recordChanged = true;
  };
  const current = (): ThingRecord => {
    const r = live();
    if (r === undefined) throw new Error(`thing ${thingId} does not exist`); // programming error: provision() first
    return r;
  };
  const featureIds = (): string[] => {
    if (live() === undefined) return [];
    const ids = new Set(read.featureIds(thingId));
    for (const [id, f] of features) {
      if (f === null) ids.delete(id);
      else ids.add(id);
    }
    return [...ids];
  };
  const feature = (id: string): FeatureRecord | undefined => {
    if (live() === undefined) return undefined;
    if (features.has(id)) return features.get(id) ?? undefined;
    return read.feature(thingId, id);
  };
  const withDeleted = (r: ThingRecord, add: readonly string[], drop: readonly string[]): ThingRecord => {
    const next = [...new Set([...r.deletedFeatures, ...add])].filter((id) => !drop.includes(id));
    const same = next.length === r.deletedFeatures.length && next.every((id, i) => id === r.deletedFeatures[i]);
    return same ? r : { ...r, deletedFeatures: next };
  };

  return {
    thingId,
    thing: live,
    record: () => record ?? undefined,
    featureIds,
    feature,
    features: () => featureIds().flatMap((id) => {
      const f = feature(id);
      return f === undefined ? [] : [[id, f.feature] as const];
    }),
    provision() {
      const existing = live();
      if (existing !== undefined) return existing.revision;
      const revision = (record?.revision ?? 0) + 1;
      const base: ThingRecord = { thingId, revision, modified: nowIso(), deletedFeatures: record?.deletedFeatures ?? [] };
      setRecord(base);
      return revision;
    },
    bump() {
      const r = current();
      const revision = r.revision + 1;
      setRecord({ ...r, revision, modified: nowIso() });
      return revision;
    },
    setFields(fields, revision) {
      const r = current();
      const next: ThingRecord = { thingId, revision: r.revision, modified: r.modified, deletedFeatures: r.deletedFeatures, unsynced: revision };
      setRecord({ ...next, ...fields });
    },
    putFeature(featureId, f, revision) {
      const before = feature(featureId);
      features.set(featureId, { feature: f, unsynced: revision, ...(before?.known === true ? { known: true } : {}) });
      const r = current();
      if (r.deletedFeatures.includes(featureId)) setRecord(withDeleted(r, [], [featureId]));
    },
    removeFeature(featureId) {
      features.set(featureId, null);
      setRecord(withDeleted(current(), [featureId], []));
    },
    putCloudFeature(featureId, f) {
      const before = feature(featureId);
      const next: FeatureRecord = before === undefined ? { feature: f, known: true } : { ...before, feature: f };
      features.set(featureId, next);
    },
    remove(revision) {
      const r = current();
      const ids = featureIds();
      for (const id of ids) features.set(id, null);
      const deleted = withDeleted(r, ids, []).deletedFeatures;
      setRecord({ thingId, revision, modified: nowIso(), deletedFeatures: deleted, removed: revision });
    },
    write() {
      if (!recordChanged && features.size === 0) return undefined;
      const out: { thingId: string; thing?: ThingRecord | null; features?: Record<string, FeatureRecord | null> } = { thingId };
      if (recordChanged) out.thing = record ?? null;
      if (features.size > 0 && record !== null) out.features = Object.fromEntries(features);
      return out;
    },
  };
}
