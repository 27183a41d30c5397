// Twin commands on a thing's own fields: `/attributes[/<ptr>]`, `/definition`, `/policyId` (Kanto leaves
// them unsupported; Ledge keeps them in the local twin like features).
import type { DittoErrorValue } from '@ledge/shared/model-ditto';
import { applyDocOp, asDocument } from './doc-ops';
import { formatPointer, getAt, withoutKey } from '@ledge/shared/model-ditto';
import { changeRevision, commandValue, errorResult, type CommandResult, type TwinCommand } from './twin-command';
import { invalidJson, notFound, twinError, TwinErrorCodes } from './twin-errors';
import { checkThingFields, thingFieldsJson } from './twin-json';
import type { TwinPath } from '@ledge/shared/model-ditto';
import type { SyncMark } from './twin-types';

type FieldsScope = Extract<TwinPath, { scope: 'attributes' | 'definition' | 'policyId' }>;

function fieldsPointer(path: FieldsScope): readonly string[] {
  return path.scope === 'attributes' ? ['attributes', ...path.pointer] : [path.scope];
}

function partNotFound(thingId: string, path: FieldsScope): DittoErrorValue {
  if (path.scope === 'attributes') return path.pointer.length === 0 ? notFound.attributes(thingId) : notFound.attribute(thingId, formatPointer(path.pointer));
  return notFound.definition(thingId);
}

export function thingFieldsCommand(cmd: TwinCommand, path: FieldsScope): CommandResult {
  const { draft, thingId, action } = cmd;
  if (action === 'create') return { kind: 'unsupported' };
  const thing = draft.thing();
  const doc = thing === undefined ? undefined : withoutKey(thingFieldsJson(thing), 'thingId');
  const pointer = fieldsPointer(path);

  if (action === 'retrieve') {
    if (doc === undefined) return errorResult(notFound.thing(thingId));
    const found = getAt(doc, pointer);
    if (found.found) return { kind: 'value', value: found.value };
    // The policy is the cloud's business: a policyId the local twin does not know is asked of the cloud.
    return path.scope === 'policyId' ? { kind: 'unsupported' } : errorResult(partNotFound(thingId, path));
  }
  if (action === 'delete') {
    if (path.scope === 'policyId') {
      return errorResult(twinError(TwinErrorCodes.policyIdNotDeletable, `The policy ID of the Thing with ID '${thingId}' cannot be deleted.`));
    }
    if (doc === undefined) return errorResult(notFound.thing(thingId), true);
  }

  let value: unknown;
  if (action !== 'delete') {
    const v = commandValue(cmd);
    if (!v.ok) return v.result;
    value = v.value;
  }
  const op = applyDocOp(doc ?? {}, action, pointer, value);
  if (!op.ok) return errorResult(partNotFound(thingId, path), true);
  const next = asDocument(op.next);
  if (next === undefined) return errorResult(invalidJson('the thing must stay a JSON object'));
  if (path.scope === 'policyId' && next['policyId'] === undefined) {
    return errorResult(twinError(TwinErrorCodes.policyIdNotDeletable, `The policy ID of the Thing with ID '${thingId}' cannot be deleted.`));
  }
  const checked = checkThingFields(next);
  if (!checked.ok) return errorResult(invalidJson(checked.problem));

  const inSync = thing !== undefined && thing.unsynced === undefined;
  const revision = changeRevision(draft);
  draft.setFields(checked.value, revision);
  // A partial change synchronises the thing's fields only when they were in sync before.
  const marks: SyncMark[] = inSync ? [{ kind: 'thing', thingId, revision }] : [];
  if (action === 'merge') return { kind: 'changed', status: 204, event: 'merged', revision, marks };
  if (action === 'delete') return { kind: 'changed', status: 204, event: 'deleted', revision, marks };
  return op.existed
    ? { kind: 'changed', status: 204, event: 'modified', revision, marks }
    : { kind: 'changed', status: 201, event: 'created', revision, marks };
}
