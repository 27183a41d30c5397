// Device Shadow service → connector (§2.2, issue 20). `update/accepted` and `delete/accepted` teach the
// mapping the last known state; the answers to the `get` sent at connect teach it the whole document and
// carry the desired state the device missed (`state.delta`: desired ≠ reported), which replaces a
// feature's local desiredProperties; `update/delta` carries the desired fields that changed since, a
// merge patch. Only features have desiredProperties in Ditto: a delta of the classic shadow or of a
// child's attributes shadow (thing attributes) is dropped with a reason. Payloads are untrusted: parsed
// within the envelope limits, never thrown on.
import type { DesiredUpdate, Mapped } from '@ledge/connector/model-connector';
import { SHADOW_DELETE, SHADOW_GET, type ShadowResponse } from './aws-topics';
import { isPlainObject } from '@ledge/shared/util-parse';
import { getOwn, parseJsonObject, type JsonObject } from '@ledge/shared/model-ditto';
import { type TwinSectionRegistry } from '@ledge/connector/model-twins';
import type { ShadowStateCache } from './shadow-state';

export interface ShadowResponseContext {
  readonly deviceId: string;
  readonly state: ShadowStateCache;
  readonly desired: ShadowStateCache;
  readonly sections: TwinSectionRegistry;
}

/** AWS answers a `get` of a shadow that does not exist with 404 (AWS IoT "Device Shadow error messages"). */
const NOT_FOUND = 404;
/** Bound on the cloud's rejection message quoted in a drop reason (it ends up in a log line). */
const MAX_REASON_CHARS = 200;

const CONSUMED: Mapped = Object.freeze({ ok: true, messages: Object.freeze([]) });

const label = (r: ShadowResponse) => (r.name === null ? 'the classic shadow' : `shadow "${r.name}"`);

export function fromShadowResponse(r: ShadowResponse, payload: Buffer, ctx: ShadowResponseContext): Mapped {
  if (r.result === 'rejected') return rejected(r, payload, ctx);
  if (r.result === 'delta') return delta(r, payload, ctx);
  if (r.operation === SHADOW_DELETE) {
    ctx.state.delete(r.shadow);
    ctx.desired.delete(r.shadow);
    return CONSUMED;
  }
  const doc = parseJsonObject(payload);
  if (doc === undefined) return { ok: false, drop: `${r.operation}/accepted of ${label(r)} is not a JSON object` };
  const st = getOwn(doc, 'state');
  if (r.operation === SHADOW_GET) return document(r, st, ctx);
  // update/accepted: what changed (reported and/or desired), merged into what is known.
  if (!isPlainObject(st) || (!Object.hasOwn(st, 'reported') && !Object.hasOwn(st, 'desired'))) {
    return { ok: false, drop: `update/accepted of ${label(r)} has no state.reported or state.desired` };
  }
  if (Object.hasOwn(st, 'reported')) ctx.state.applyReported(r.shadow, st['reported']);
  if (Object.hasOwn(st, 'desired')) ctx.desired.applyReported(r.shadow, st['desired']);
  return CONSUMED;
}

/** get/accepted: the whole document. It replaces what is known, and its delta replaces the local desired properties. */
function document(r: ShadowResponse, st: unknown, ctx: ShadowResponseContext): Mapped {
  if (st !== undefined && !isPlainObject(st)) return { ok: false, drop: `get/accepted of ${label(r)} has no state object` };
  const state = st ?? {};
  ctx.state.delete(r.shadow);
  ctx.desired.delete(r.shadow);
  if (Object.hasOwn(state, 'reported')) ctx.state.applyReported(r.shadow, state['reported']);
  if (Object.hasOwn(state, 'desired')) ctx.desired.applyReported(r.shadow, state['desired']);
  const section = ctx.sections.resolve(ctx.deviceId, r.name ?? undefined);
  const d = getOwn(state, 'delta');
  if (section.featureId === undefined) {
    // The document still taught the reported attributes; only its delta has nowhere to go.
    if (isPlainObject(d) && Object.keys(d).length > 0) return { ok: false, drop: attributesDelta(r, section.thingId) };
    return CONSUMED;
  }
  const value: JsonObject = isPlainObject(d) ? d : {};
  const desired: DesiredUpdate[] = [{ thingId: section.thingId, featureId: section.featureId, mode: 'replace', value }];
  return { ok: true, messages: [], desired };
}

/** update/delta: the desired fields that differ from reported and changed; merged into the local desired properties. */
function delta(r: ShadowResponse, payload: Buffer, ctx: ShadowResponseContext): Mapped {
  const doc = parseJsonObject(payload);
  const d = doc === undefined ? undefined : getOwn(doc, 'state');
  if (!isPlainObject(d)) return { ok: false, drop: `update/delta of ${label(r)} has no state object` };
  ctx.desired.applyReported(r.shadow, d);
  const section = ctx.sections.resolve(ctx.deviceId, r.name ?? undefined);
  if (section.featureId === undefined) return { ok: false, drop: attributesDelta(r, section.thingId) };
  return { ok: true, messages: [], desired: [{ thingId: section.thingId, featureId: section.featureId, mode: 'merge', value: d }] };
}

function attributesDelta(r: ShadowResponse, thingId: string): string {
  return `desired state of ${label(r)} (attributes of "${thingId}") ignored: Ditto has desired properties only for features`;
}

/**
 * get/rejected 404: the shadow does not exist (yet, or no more: deleted in the cloud while the device was
 * away), so nothing is desired; a feature's local desired properties are cleared (a `replace` with null,
 * a no-op where there are none). Anything else (update/rejected among them): a drop with AWS's reason.
 */
function rejected(r: ShadowResponse, payload: Buffer, ctx: ShadowResponseContext): Mapped {
  const doc = parseJsonObject(payload);
  const code = doc === undefined ? undefined : getOwn(doc, 'code');
  if (r.operation === SHADOW_GET && code === NOT_FOUND) {
    ctx.state.delete(r.shadow);
    ctx.desired.delete(r.shadow);
    const section = ctx.sections.resolve(ctx.deviceId, r.name ?? undefined);
    if (section.featureId === undefined) return CONSUMED;
    return { ok: true, messages: [], desired: [{ thingId: section.thingId, featureId: section.featureId, mode: 'replace', value: null }] };
  }
  const message = doc === undefined ? undefined : getOwn(doc, 'message');
  const why = typeof message === 'string' ? `: ${message.slice(0, MAX_REASON_CHARS)}` : '';
  return { ok: false, drop: `${r.operation} of ${label(r)} rejected by AWS (code ${typeof code === 'number' ? code : 'unknown'})${why}` };
}
