// One twin command applied to one JSON document (a feature, or a thing's own fields) at a pointer below
// it: modify sets, merge applies an RFC 7396 patch (Ditto's merge), delete removes. The result is checked
// by the caller against the document's shape.
import { deleteAt, getAt, setAt, isJsonObject, mergePatch, type JsonObject } from '@ledge/shared/model-ditto';

export type DocAction = 'modify' | 'merge' | 'delete';

export type DocOpResult =
  /** `next` is the new document (unchecked); null when the command removed the document itself. */
  | { readonly ok: true; readonly next: unknown; readonly existed: boolean }
  | { readonly ok: false; readonly notFound: true };

/** `doc` undefined: the document does not exist (modify and merge create it). */
export function applyDocOp(doc: JsonObject | undefined, action: DocAction, pointer: readonly string[], value: unknown): DocOpResult {
  const existed = doc !== undefined && getAt(doc, pointer).found;
  if (pointer.length === 0) {
    if (action === 'delete') return doc === undefined ? { ok: false, notFound: true } : { ok: true, next: null, existed };
    return { ok: true, next: action === 'modify' ? value : mergePatch(doc, value), existed };
  }
  const base: JsonObject = doc ?? {};
  switch (action) {
    case 'modify':
      return { ok: true, next: setAt(base, pointer, value), existed };
    case 'merge': {
      const current = getAt(base, pointer);
      const merged = mergePatch(current.found ? current.value : undefined, value);
      return { ok: true, next: merged === null ? (deleteAt(base, pointer) ?? base) : setAt(base, pointer, merged), existed };
    }
    case 'delete': {
      const next = deleteAt(base, pointer);
      return next === undefined || doc === undefined ? { ok: false, notFound: true } : { ok: true, next, existed };
    }
  }
}

/** The object `next` must be for a document; undefined when it is not one. */
export function asDocument(next: unknown): JsonObject | undefined {
  return isJsonObject(next) ? next : undefined;
}
