// Desired properties from the cloud applied to the local twin (Kanto's UpdateLocalDesiredProperties),
// with Ledge's conflict rule: desired properties are the cloud's. A local desired change not yet
// synchronised that differs from the cloud's value loses; the local event says so and the conflict is
// returned for the log. Applying them does not make a feature unsynced: the cloud already has them.
import type { DesiredUpdate } from '@ledge/connector/model-connector';
import { isOwnThing, localEventTopic, SYNC_CONFLICT_HEADER, twinEvent } from './twin-messages';
import { createThingDraft, type ThingDraft } from './twin-draft';
import { isValidFeatureId } from '@ledge/shared/model-ditto';
import type { TwinContext, TwinMessage, TwinRead, TwinWrite } from './twin-types';
import { parseThingId, isEmptyObject, isJsonObject, jsonEqual, mergePatch, type JsonObject } from '@ledge/shared/model-ditto';

export interface DesiredConflict {
  readonly thingId: string;
  readonly featureId: string;
  /** The local desired properties that were replaced. */
  readonly local: JsonObject | undefined;
  /** The cloud's, now the local twin's. */
  readonly cloud: JsonObject | undefined;
}

export interface DesiredOutcome {
  readonly writes: readonly TwinWrite[];
  readonly local: readonly TwinMessage[];
  readonly conflicts: readonly DesiredConflict[];
  /** Updates not applied, with why (not the gateway's thing, invalid IDs, deleted locally and not yet synchronised). */
  readonly skipped: readonly { readonly update: DesiredUpdate; readonly reason: string }[];
}

const DESIRED_PATH = (featureId: string) => `/features/${featureId}/desiredProperties`;

/** Why an update cannot apply to this gateway's twins; undefined when it can. */
function updateProblem(update: DesiredUpdate, ctx: TwinContext): string | undefined {
  if (!isJsonObject(update)) return 'not an update object';
  if (update.mode !== 'replace' && update.mode !== 'merge') return `unknown mode "${String(update.mode)}"`;
  if (!parseThingId(update.thingId).ok || !isOwnThing(ctx, update.thingId)) return `thing "${String(update.thingId)}" is not this gateway's`;
  if (!isValidFeatureId(update.featureId)) return `invalid feature ID "${String(update.featureId)}"`;
  if (update.value !== null && !isJsonObject(update.value)) return 'desired properties must be a JSON object or null';
  return undefined;
}

/** The desired properties an update leaves, `{}` and null normalised to none. */
function nextDesired(current: JsonObject | undefined, update: DesiredUpdate): JsonObject | undefined {
  const next = update.mode === 'replace' ? update.value : mergePatch(current ?? {}, update.value ?? {});
  return isJsonObject(next) && !isEmptyObject(next) ? next : undefined;
}

export function applyDesired(read: TwinRead, updates: readonly DesiredUpdate[], ctx: TwinContext): DesiredOutcome {
  const timestamp = new Date(ctx.now()).toISOString();
  const drafts = new Map<string, ThingDraft>();
  const local: TwinMessage[] = [];
  const conflicts: DesiredConflict[] = [];
  const skipped: { update: DesiredUpdate; reason: string }[] = [];

  for (const update of updates) {
    const problem = updateProblem(update, ctx);
    if (problem !== undefined) {
      skipped.push({ update, reason: problem });
      continue;
    }
    const { thingId, featureId } = update;
    let draft = drafts.get(thingId);
    if (draft === undefined) drafts.set(thingId, (draft = createThingDraft(read, thingId, () => timestamp)));
    // Existence is the device's: what was deleted locally stays deleted until the sync pushes the delete.
    if (draft.record()?.removed !== undefined) {
      skipped.push({ update, reason: 'the thing was deleted locally; its deletion is not synchronised yet' });
      continue;
    }
    if (draft.record()?.deletedFeatures.includes(featureId) === true) {
      skipped.push({ update, reason: 'the feature was deleted locally; its deletion is not synchronised yet' });
      continue;
    }
    const record = draft.feature(featureId);
    const current = record?.feature.desiredProperties;
    const next = nextDesired(current, update);
    if (jsonEqual(isEmptyObject(current) ? undefined : current, next)) continue;

    if (draft.thing() === undefined) draft.provision();
    const revision = draft.bump();
    const { desiredProperties: _old, ...rest } = record?.feature ?? {};
    draft.putCloudFeature(featureId, next === undefined ? rest : { ...rest, desiredProperties: next });
    const conflict = record?.unsynced !== undefined;
    if (conflict) conflicts.push({ thingId, featureId, local: current, cloud: next });
    const event = twinEvent({
      thingId,
      action: 'modified',
      path: DESIRED_PATH(featureId),
      value: next ?? {},
      revision,
      timestamp,
      ...(conflict ? { extraHeaders: { [SYNC_CONFLICT_HEADER]: 'cloud' } } : {}),
    });
    local.push({ topic: localEventTopic(ctx, thingId, 'modified'), envelope: event });
  }
  const writes = [...drafts.values()].flatMap((d) => d.write() ?? []);
  return { writes, local, conflicts, skipped };
}

/** The local events of desired updates without a store (local twins off): `replace` → modified, `merge` → merged (the patch). */
export function desiredEvents(updates: readonly DesiredUpdate[], ctx: TwinContext): TwinMessage[] {
  const timestamp = new Date(ctx.now()).toISOString();
  return updates.flatMap((update) => {
    if (updateProblem(update, ctx) !== undefined) return [];
    const action = update.mode === 'replace' ? 'modified' : 'merged';
    const envelope = twinEvent({ thingId: update.thingId, action, path: DESIRED_PATH(update.featureId), value: update.value ?? {}, timestamp });
    return [{ topic: localEventTopic(ctx, update.thingId, action), envelope }];
  });
}
