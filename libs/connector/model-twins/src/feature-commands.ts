// Twin commands on one feature: `/features/<F>`, its `definition`, `properties[/<ptr>]` and
// `desiredProperties[/<ptr>]` (Kanto's feature, properties, property, desiredProperties and
// desiredProperty commands, plus the feature definition Kanto leaves unsupported).
import { applyDocOp } from './doc-ops';
import { formatPointer, getAt } from '@ledge/shared/model-ditto';
import { changeRevision, commandValue, errorResult, featureMarks, type CommandResult, type TwinCommand } from './twin-command';
import { invalidJson, notFound } from './twin-errors';
import { checkFeature, featureJson } from './twin-json';
import type { TwinPath } from '@ledge/shared/model-ditto';
import type { DittoErrorValue } from '@ledge/shared/model-ditto';

type FeatureScope = Extract<TwinPath, { featureId: string }>;

/** The pointer below the feature's JSON that a feature-level path addresses. */
function featurePointer(path: FeatureScope): readonly string[] {
  switch (path.scope) {
    case 'feature':
      return [];
    case 'featureDefinition':
      return ['definition'];
    case 'properties':
    case 'desiredProperties':
      return [path.scope, ...path.pointer];
  }
}

/** The not-found error of the addressed part of an existing feature. */
function partNotFound(thingId: string, path: FeatureScope): DittoErrorValue {
  switch (path.scope) {
    case 'feature':
      return notFound.feature(thingId, path.featureId);
    case 'featureDefinition':
      return notFound.featureDefinition(thingId, path.featureId);
    case 'properties':
    case 'desiredProperties': {
      const desired = path.scope === 'desiredProperties';
      return path.pointer.length === 0
        ? notFound.properties(thingId, path.featureId, desired)
        : notFound.property(thingId, path.featureId, formatPointer(path.pointer), desired);
    }
  }
}

export function featureCommand(cmd: TwinCommand, path: FeatureScope): CommandResult {
  const { draft, thingId, action } = cmd;
  const { featureId } = path;
  if (action === 'create') return { kind: 'unsupported' };
  const thing = draft.thing();
  const before = draft.feature(featureId);
  const doc = before === undefined ? undefined : featureJson(before.feature);
  const pointer = featurePointer(path);

  if (action === 'retrieve') {
    if (thing === undefined) return errorResult(notFound.thing(thingId));
    if (doc === undefined) return errorResult(notFound.feature(thingId, featureId));
    const found = getAt(doc, pointer);
    return found.found ? { kind: 'value', value: found.value } : errorResult(partNotFound(thingId, path));
  }
  if (action === 'delete') {
    // Not stored locally does not mean absent at the cloud: the delete is still forwarded (as Kanto does).
    if (thing === undefined) return errorResult(notFound.thing(thingId), true);
    if (doc === undefined) return errorResult(notFound.feature(thingId, featureId), true);
  }

  let value: unknown;
  if (action !== 'delete') {
    const v = commandValue(cmd);
    if (!v.ok) return v.result;
    value = v.value;
    // Ditto: modify below a feature needs the feature; merge creates what is missing.
    if (action === 'modify' && path.scope !== 'feature' && doc === undefined) return errorResult(notFound.feature(thingId, featureId), true);
  }

  const op = applyDocOp(doc, action, pointer, value);
  if (!op.ok) return errorResult(partNotFound(thingId, path), true);

  if (op.next === null) {
    // A merge patch `null` for a feature the local twin lacks: nothing to delete here, maybe at the cloud.
    if (doc === undefined) return errorResult(notFound.feature(thingId, featureId), true);
    const revision = changeRevision(draft);
    draft.removeFeature(featureId);
    const event = action === 'merge' ? 'merged' : 'deleted';
    return { kind: 'changed', status: 204, event, revision, marks: [{ kind: 'deleted', thingId, featureIds: [featureId] }] };
  }
  const checked = checkFeature(op.next, featureId);
  if (!checked.ok) return errorResult(invalidJson(checked.problem));

  const revision = changeRevision(draft);
  draft.putFeature(featureId, checked.value, revision);
  const whole = action === 'modify' && path.scope === 'feature';
  const marks = featureMarks(cmd, featureId, revision, whole, before);
  if (action === 'merge') return { kind: 'changed', status: 204, event: 'merged', revision, marks };
  if (action === 'delete') return { kind: 'changed', status: 204, event: 'deleted', revision, marks };
  return op.existed
    ? { kind: 'changed', status: 204, event: 'modified', revision, marks }
    : { kind: 'changed', status: 201, event: 'created', revision, marks };
}
