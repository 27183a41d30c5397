// The second step of the sync after a connect (Kanto's synchronizer, extended to a thing's own fields
// and to deleted things): what the cloud has not acknowledged, pushed as one-way twin commands, each with
// the marks its acknowledgement sets. Reported state is the device's; desired properties the cloud's.
import type { KnownTwin } from '@ledge/connector/model-connector';
import { DittoHeaderNames, type DittoCommandAction, type DittoHeaders, isEmptyObject, objectFrom } from '@ledge/shared/model-ditto';
import { commandTopic, uplinkTopic } from './twin-messages';
import { featureJson } from './twin-json';
import type { SyncMark, TwinContext, TwinRead, TwinUplink } from './twin-types';

export const MERGE_PATCH_CONTENT_TYPE = 'application/merge-patch+json';

export interface PushOptions {
  /**
   * True when the local desired properties are the cloud's (the retrieve answered, or the protocol
   * fetched them at connect): a feature without desired properties is pushed whole. False: whole only
   * when the cloud never acknowledged the feature; else its properties (and definition) alone.
   */
  readonly desiredKnown: boolean;
}

export function pushCommands(read: TwinRead, thingId: string, ctx: TwinContext, opts: PushOptions): TwinUplink[] {
  const thing = read.thing(thingId);
  if (thing === undefined) return [];
  const uplink = (action: DittoCommandAction, path: string, value: unknown, marks: readonly SyncMark[], extra: DittoHeaders = {}): TwinUplink => ({
    topic: uplinkTopic(ctx, thingId),
    envelope: {
      topic: commandTopic(thingId, action),
      headers: { [DittoHeaderNames.correlationId]: ctx.newId(), [DittoHeaderNames.responseRequired]: false, ...extra },
      path,
      ...(value === undefined ? {} : { value }),
    },
    marks,
  });
  if (thing.removed !== undefined) return [uplink('delete', '/', undefined, [{ kind: 'thing', thingId, revision: thing.removed }])];

  const out: TwinUplink[] = [];
  if (thing.unsynced !== undefined) {
    const marks: SyncMark[] = [{ kind: 'thing', thingId, revision: thing.unsynced }];
    const parts: [string, unknown][] = [['/attributes', thing.attributes ?? {}]];
    if (thing.definition !== undefined) parts.push(['/definition', thing.definition]);
    if (thing.policyId !== undefined) parts.push(['/policyId', thing.policyId]);
    parts.forEach(([path, value], i) => out.push(uplink('modify', path, value, i === parts.length - 1 ? marks : [])));
  }
  for (const featureId of read.featureIds(thingId)) {
    const record = read.feature(thingId, featureId);
    if (record?.unsynced === undefined) continue;
    const marks: SyncMark[] = [{ kind: 'feature', thingId, featureId, revision: record.unsynced }];
    const { feature } = record;
    const whole = opts.desiredKnown ? isEmptyObject(feature.desiredProperties) : record.known !== true;
    if (whole) {
      out.push(uplink('modify', `/features/${featureId}`, featureJson(feature), marks));
      continue;
    }
    // The cloud's desired properties stay untouched: reported properties (and definition) only.
    const withDefinition = feature.definition !== undefined;
    out.push(uplink('modify', `/features/${featureId}/properties`, feature.properties ?? {}, withDefinition ? [] : marks));
    if (withDefinition) out.push(uplink('modify', `/features/${featureId}/definition`, [...feature.definition], marks));
  }
  if (thing.deletedFeatures.length > 0) {
    const patch = objectFrom(thing.deletedFeatures.map((id) => [id, null] as const));
    const marks: SyncMark[] = [{ kind: 'deleted', thingId, featureIds: [...thing.deletedFeatures] }];
    out.push(uplink('merge', '/features', patch, marks, { [DittoHeaderNames.contentType]: MERGE_PATCH_CONTENT_TYPE }));
  }
  return out;
}

/** The things the store keeps a twin of (tombstones left out) and their features. */
export function knownTwins(read: TwinRead): KnownTwin[] {
  return read.thingIds().flatMap((thingId) => {
    const thing = read.thing(thingId);
    return thing === undefined || thing.removed !== undefined ? [] : [{ thingId, featureIds: [...read.featureIds(thingId)] }];
  });
}
