// Twin commands on a whole thing (`/`) and on all its features (`/features`), and Kanto's search-like
// retrieve `_/_/things/twin/commands/retrieve` with `{"thingIds":[…]}`.
import { parseFieldSelector, selectFields } from './field-selector';
import { isJsonObject, jsonEqual, mergePatch, type JsonObject } from '@ledge/shared/model-ditto';
import { changeRevision, commandValue, errorResult, featureMarks, type CommandResult, type TwinCommand } from './twin-command';
import type { ThingDraft } from './twin-draft';
import { invalidJson, notFound, twinError, TwinErrorCodes } from './twin-errors';
import { checkFeatures, checkThingFields, featureJson, featuresJson, thingJson, type ThingFields } from './twin-json';
import { isValidFeatureId } from '@ledge/shared/model-ditto';
import type { SyncMark, TwinFeature, TwinRead, TwinEnvelope } from './twin-types';

type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly result: CommandResult };

/** The thing (and its features) a create/modify/merge of `/` leaves, checked. */
function checkThing(value: unknown, thingId: string): Result<{ fields: ThingFields; features: ReadonlyMap<string, TwinFeature> }> {
  if (!isJsonObject(value)) return { ok: false, result: errorResult(invalidJson('a thing must be a JSON object')) };
  const id = Object.hasOwn(value, 'thingId') ? value['thingId'] : undefined;
  if (id !== undefined && id !== thingId) {
    const error = twinError(
      TwinErrorCodes.idNotSettable,
      'The Thing ID in the command value is not equal to the Thing ID in the command topic.',
      'Either delete the Thing ID from the command value or use the same Thing ID as in the command topic.',
    );
    return { ok: false, result: errorResult(error) };
  }
  const fields = checkThingFields(value);
  if (!fields.ok) return { ok: false, result: errorResult(invalidJson(fields.problem)) };
  const raw = Object.hasOwn(value, 'features') ? value['features'] : undefined;
  const features = raw === undefined || raw === null ? { ok: true as const, value: new Map<string, TwinFeature>() } : checkFeatures(raw, isValidFeatureId);
  if (!features.ok) return { ok: false, result: errorResult(invalidJson(features.problem)) };
  return { ok: true, value: { fields: fields.value, features: features.value } };
}

/**
 * Makes the thing's features `next`. `whole`: the command carries every feature (modify), so each one it
 * writes and every pending deletion is synchronised by it; otherwise (merge) only what was in sync before.
 */
function replaceFeatures(cmd: TwinCommand, next: ReadonlyMap<string, TwinFeature>, revision: number, whole: boolean): SyncMark[] {
  const { draft, thingId } = cmd;
  const marks: SyncMark[] = [];
  const removed: string[] = [];
  for (const id of draft.featureIds()) {
    if (!next.has(id)) {
      draft.removeFeature(id);
      removed.push(id);
    }
  }
  for (const [id, feature] of next) {
    const before = draft.feature(id);
    if (!whole && before !== undefined && jsonEqual(featureJson(before.feature), featureJson(feature))) continue;
    draft.putFeature(id, feature, revision);
    marks.push(...featureMarks(cmd, id, revision, whole, before));
  }
  const deleted = whole ? (draft.record()?.deletedFeatures ?? []) : removed;
  if (deleted.length > 0) marks.push({ kind: 'deleted', thingId, featureIds: [...deleted] });
  return marks;
}

function currentThing(draft: ThingDraft): JsonObject | undefined {
  const thing = draft.thing();
  return thing === undefined ? undefined : thingJson(thing, draft.features());
}

export function rootCommand(cmd: TwinCommand): CommandResult {
  const { draft, thingId, action, envelope } = cmd;
  const thing = draft.thing();
  if (action === 'retrieve') {
    const doc = currentThing(draft);
    if (doc === undefined) return errorResult(notFound.thing(thingId));
    return withFields(envelope, doc);
  }
  if (action === 'delete') {
    if (thing === undefined) return errorResult(notFound.thing(thingId), true);
    const revision = thing.revision + 1;
    draft.remove(revision);
    return { kind: 'changed', status: 204, event: 'deleted', revision, marks: [{ kind: 'thing', thingId, revision }] };
  }
  if (action === 'create' && thing !== undefined) {
    const error = twinError(TwinErrorCodes.thingConflict, `The Thing with ID '${thingId}' already exists.`, 'Choose another Thing ID.');
    return errorResult(error);
  }
  const v = commandValue(cmd);
  if (!v.ok) return v.result;
  const wanted = action === 'merge' ? (isJsonObject(v.value) ? mergePatch(currentThing(draft) ?? { thingId }, v.value) : undefined) : v.value;
  const checked = checkThing(wanted, thingId);
  if (!checked.ok) return checked.result;
  const { fields, features } = checked.value;

  const revision = thing === undefined ? draft.provision() : draft.bump();
  const marks: SyncMark[] = [];
  const fieldsInSync = thing !== undefined && thing.unsynced === undefined;
  // A merge that creates the thing without touching its fields leaves them to the cloud.
  const fieldsChanged = !jsonEqual(thing === undefined ? {} : fieldsOf(thing), fields);
  if (action !== 'merge' || fieldsChanged) {
    draft.setFields(fields, revision);
    if (action !== 'merge' || fieldsInSync) marks.push({ kind: 'thing', thingId, revision });
  }
  marks.push(...replaceFeatures(cmd, features, revision, action !== 'merge'));
  const after = currentThing(draft);
  if (action === 'merge') return { kind: 'changed', status: 204, event: 'merged', revision, marks };
  if (thing === undefined) return { kind: 'changed', status: 201, event: 'created', revision, eventValue: after, responseValue: after, marks };
  return { kind: 'changed', status: 204, event: 'modified', revision, eventValue: after, marks };
}

function fieldsOf(thing: ThingFields): ThingFields {
  const out: { policyId?: string; definition?: string; attributes?: JsonObject } = {};
  if (thing.policyId !== undefined) out.policyId = thing.policyId;
  if (thing.definition !== undefined) out.definition = thing.definition;
  if (thing.attributes !== undefined) out.attributes = thing.attributes;
  return out;
}

export function featuresCommand(cmd: TwinCommand): CommandResult {
  const { draft, thingId, action } = cmd;
  if (action === 'create') return { kind: 'unsupported' };
  const thing = draft.thing();
  const had = draft.featureIds().length > 0;
  if (action === 'retrieve' || action === 'delete') {
    const forward = action === 'delete';
    if (thing === undefined) return errorResult(notFound.thing(thingId), forward);
    if (!had) return errorResult(notFound.features(thingId), forward);
    if (action === 'retrieve') return { kind: 'value', value: featuresJson(draft.features()) };
    const revision = changeRevision(draft);
    const marks = replaceFeatures(cmd, new Map(), revision, true);
    return { kind: 'changed', status: 204, event: 'deleted', revision, marks };
  }
  const v = commandValue(cmd);
  if (!v.ok) return v.result;
  const wanted = action === 'merge' ? (isJsonObject(v.value) ? mergePatch(featuresJson(draft.features()), v.value) : undefined) : v.value;
  const checked = checkFeatures(wanted, isValidFeatureId);
  if (!checked.ok) return errorResult(invalidJson(checked.problem));
  const revision = changeRevision(draft);
  const marks = replaceFeatures(cmd, checked.value, revision, action === 'modify');
  if (action === 'merge') return { kind: 'changed', status: 204, event: 'merged', revision, marks };
  return had ? { kind: 'changed', status: 204, event: 'modified', revision, marks } : { kind: 'changed', status: 201, event: 'created', revision, marks };
}

/** The retrieved thing, narrowed by the envelope's `fields` selector when it has one. */
function withFields(envelope: TwinEnvelope, doc: JsonObject): CommandResult {
  if (envelope.fields === undefined || envelope.fields === '') return { kind: 'value', value: doc };
  const selector = parseFieldSelector(envelope.fields);
  if (!selector.ok) return errorResult(twinError(TwinErrorCodes.fieldSelectorInvalid, `Invalid field selector: ${selector.problems.join('; ')}.`, 'Check fields syntax.'));
  return { kind: 'value', value: selectFields(doc, selector.paths) };
}

const MAX_SEARCH_IDS = 1000;

/** Kanto's `_/_/things/twin/commands/retrieve` with `{"thingIds":[…]}`: the stored ones, in order. */
export function searchCommand(read: TwinRead, envelope: TwinEnvelope): CommandResult {
  const value = envelope.value;
  const ids = isJsonObject(value) && Object.hasOwn(value, 'thingIds') ? value['thingIds'] : undefined;
  if (!Array.isArray(ids) || ids.length === 0) return errorResult(invalidJson(`empty 'thingIds' value`));
  if (ids.length > MAX_SEARCH_IDS) return errorResult(invalidJson(`more than ${MAX_SEARCH_IDS} 'thingIds'`));
  const selector = envelope.fields === undefined || envelope.fields === '' ? undefined : parseFieldSelector(envelope.fields);
  if (selector !== undefined && !selector.ok) {
    return errorResult(twinError(TwinErrorCodes.fieldSelectorInvalid, `Invalid field selector: ${selector.problems.join('; ')}.`, 'Check fields syntax.'));
  }
  const things: JsonObject[] = [];
  for (const id of ids) {
    if (typeof id !== 'string' || !id.includes(':')) {
      return errorResult(twinError(TwinErrorCodes.idInvalid, `Thing ID '${String(id)}' is not valid!`, 'It must conform to the namespaced entity ID notation (see Ditto documentation)'));
    }
    const thing = read.thing(id);
    if (thing === undefined || thing.removed !== undefined) continue;
    const features = read.featureIds(id).flatMap((f) => {
      const r = read.feature(id, f);
      return r === undefined ? [] : [[f, r.feature] as const];
    });
    const doc = thingJson(thing, features);
    things.push(selector === undefined ? doc : selectFields(doc, selector.paths));
  }
  return { kind: 'value', value: things };
}
