// Which twin property (a "section" of `properties.desired` / `properties.reported`) holds which Ditto
// feature: model-twins' section names (Kanto's AWS shadow naming), reused for IoT Hub — gateway feature F
// ↔ `F`; feature F of the child thing `<deviceId>:<c>` ↔ `<c>:F` (in practice `edge:containers:F`).
// Back from a name the rule is ambiguous once IDs contain ':', so names the mapping made itself win
// (model-twins' section registry, kept in twin-state.ts); otherwise model-twins' reading applies. What is
// IoT Hub's own: only feature sections here — attributes sections (the classic one, `edge:containers`
// alone) name no feature.
import { isValidFeatureId } from '@ledge/shared/model-ditto';
import { parseTwinSectionName, twinSectionName, type TwinSectionRegistry } from '@ledge/connector/model-twins';

/** The feature a twin section holds. */
export interface FeatureSection {
  readonly thingId: string;
  readonly featureId: string;
}

/** The section name of feature `featureId` of `thingId` (the gateway or a `<deviceId>:` child); undefined for other things. */
export function featureSectionName(deviceId: string, thingId: string, featureId: string): string | undefined {
  const named = twinSectionName(deviceId, thingId, featureId);
  return named.ok ? named.name : undefined;
}

/**
 * The feature of section `name`: the one the mapping named it after (remembered in `named`), else the
 * default reading; undefined when it names no usable feature (or attributes).
 */
export function featureSectionOf(named: Pick<TwinSectionRegistry, 'recall'>, deviceId: string, name: string): FeatureSection | undefined {
  const remembered = named.recall(name);
  if (remembered !== undefined) return remembered.featureId === undefined ? undefined : { thingId: remembered.thingId, featureId: remembered.featureId };
  const read = parseTwinSectionName(deviceId, name);
  return read.featureId !== undefined && isValidFeatureId(read.featureId) ? { thingId: read.thingId, featureId: read.featureId } : undefined;
}
