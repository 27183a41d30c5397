// The local digital twin (Kanto's local-digital-twins, issue 20) as data: what the twin store holds per
// thing and per feature, what the model reads of it and writes to it, and what it asks the bridge to
// publish. Pure types; the rules are in the other files of this lib, the store in data-access-store.
import type { DittoEnvelope, JsonObject } from '@ledge/shared/model-ditto';

/**
 * A Ditto envelope with the fields a twin carries beyond the command envelope: `revision` and `timestamp`
 * on events (Ditto protocol "events"), `fields` (the field selector) on a retrieve. Assignable to
 * DittoEnvelope, so anything that publishes envelopes publishes these.
 */
export interface TwinEnvelope extends DittoEnvelope {
  readonly revision?: number;
  readonly timestamp?: string;
  /** Ditto's field selector, e.g. `features(F/desiredProperties,G)`. model-ditto's parseEnvelope drops it. */
  readonly fields?: string;
}

export interface TwinFeature {
  readonly definition?: readonly string[];
  readonly properties?: JsonObject;
  readonly desiredProperties?: JsonObject;
}

/** A thing's record, without its features (each feature is a record of its own, so a property change rewrites one feature). */
export interface ThingRecord {
  readonly thingId: string;
  readonly policyId?: string;
  readonly definition?: string;
  readonly attributes?: JsonObject;
  /** Incremented by every change of the thing or of one of its features. */
  readonly revision: number;
  /** ISO 8601 time of the last change. */
  readonly modified: string;
  /** Revision of a local change of the thing's own fields (attributes, definition, policyId) the cloud has not acknowledged yet. */
  readonly unsynced?: number;
  /** Features deleted locally whose deletion the cloud has not acknowledged yet. */
  readonly deletedFeatures: readonly string[];
  /**
   * Set when the thing was deleted locally: the revision of the delete. The record is a tombstone (no
   * features; reads treat the thing as absent) kept until the cloud acknowledges the delete.
   */
  readonly removed?: number;
}

export interface FeatureRecord {
  readonly feature: TwinFeature;
  /** Thing revision of the feature's last local change the cloud has not acknowledged yet; absent when in sync. */
  readonly unsynced?: number;
  /** True once the cloud acknowledged the feature at least once (it exists there). */
  readonly known?: boolean;
}

/** What the model reads of the store. */
export interface TwinRead {
  thingIds(): readonly string[];
  thing(thingId: string): ThingRecord | undefined;
  featureIds(thingId: string): readonly string[];
  feature(thingId: string, featureId: string): FeatureRecord | undefined;
}

/** Changes of one thing. `thing: null` deletes the thing and every feature of it; a feature `null` deletes that feature. */
export interface TwinWrite {
  readonly thingId: string;
  readonly thing?: ThingRecord | null;
  readonly features?: Readonly<Record<string, FeatureRecord | null>>;
}

/** A Ditto envelope to publish at `topic` (a local bus topic, or a local-style uplink topic `e` / `e/<tenant>/<thingId>`). */
export interface TwinMessage {
  readonly topic: string;
  readonly envelope: TwinEnvelope;
}

/**
 * What the cloud must acknowledge before a local change counts as synchronised. `thing` marks the thing's
 * own fields at `revision`, or, on a tombstone whose `removed` is `revision`, the thing's deletion.
 */
export type SyncMark =
  | { readonly kind: 'feature'; readonly thingId: string; readonly featureId: string; readonly revision: number }
  | { readonly kind: 'thing'; readonly thingId: string; readonly revision: number }
  | { readonly kind: 'deleted'; readonly thingId: string; readonly featureIds: readonly string[] };

/** A message to the cloud and the marks its acknowledgement sets. */
export interface TwinUplink extends TwinMessage {
  readonly marks: readonly SyncMark[];
}

export interface TwinContext {
  /** The gateway's thing ID (`ns:name`). */
  readonly deviceId: string;
  readonly tenantId: string;
  /** Epoch ms. */
  readonly now: () => number;
  /** A fresh correlation-id for the commands the sync sends (e.g. crypto.randomUUID). */
  readonly newId: () => string;
}
