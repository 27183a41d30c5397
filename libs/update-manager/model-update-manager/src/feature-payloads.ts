// The UpdateManager feature's message values (Kanto update-manager things/update_manager_feature.go): every
// one carries `activityId` and `timestamp` (ms) beside its content. Inbox values are untrusted; Kanto
// unmarshals them leniently and answers 400 only for a missing desired state, Ledge also names each field
// that is wrong (the model's field paths), so a backend learns why its desired state was refused.
import {
  parseDesiredState,
  parseOwnerConsentFeedback,
  UPDATE_LIMITS,
  type DesiredState,
  type DesiredStateFeedback,
  type Inventory,
  type OwnerConsent,
  type OwnerConsentFeedback,
} from '@ledge/shared/model-update';
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export interface ActivityBase {
  readonly activityId: string;
  readonly timestamp: number;
}

function base(v: Record<string, unknown>, problems: string[], requireActivity: boolean): ActivityBase {
  const a = v['activityId'] ?? '';
  const t = v['timestamp'] ?? 0;
  if (typeof a !== 'string') problems.push('activityId: not a string');
  else if (a.length > UPDATE_LIMITS.activityIdChars) problems.push(`activityId: longer than ${UPDATE_LIMITS.activityIdChars} characters`);
  else if (a === '' && requireActivity) problems.push('activityId: missing');
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) problems.push('timestamp: not a number of milliseconds since the epoch');
  return { activityId: typeof a === 'string' ? a : '', timestamp: typeof t === 'number' && Number.isFinite(t) ? Math.trunc(t) : 0 };
}

export type ApplyResult = { readonly ok: true; readonly apply: ActivityBase & { readonly desiredState: DesiredState } } | (ParseFailure & { readonly activityId?: string });

/** `apply` {activityId, timestamp, desiredState}; a failure keeps the activityId when it had one, for the feedback. */
export function parseApplyArgs(v: unknown): ApplyResult {
  if (!isPlainObject(v)) return parseFailure('the value is not an object with activityId, timestamp and desiredState');
  const problems: string[] = [];
  const b = base(v, problems, true);
  if (v['desiredState'] === undefined || v['desiredState'] === null) problems.push('desiredState: missing');
  else {
    const ds = parseDesiredState(v['desiredState'], 'desiredState');
    if (!ds.ok) problems.push(...ds.problems);
    else if (problems.length === 0) return { ok: true, apply: { ...b, desiredState: ds.desiredState } };
  }
  return { ok: false, problems, ...(b.activityId !== '' ? { activityId: b.activityId } : {}) };
}

export type RefreshResult = { readonly ok: true; readonly refresh: ActivityBase } | ParseFailure;

/** `refresh` {activityId, timestamp}: both optional, as Kanto reads them. */
export function parseRefreshArgs(v: unknown): RefreshResult {
  if (v === undefined || v === null) return { ok: true, refresh: { activityId: '', timestamp: 0 } };
  if (!isPlainObject(v)) return parseFailure('the value is not an object with activityId and timestamp');
  const problems: string[] = [];
  const b = base(v, problems, false);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, refresh: b };
}

export type ConsentResult = { readonly ok: true; readonly consent: ActivityBase & { readonly ownerConsentFeedback: OwnerConsentFeedback } } | ParseFailure;

/** `consent` {activityId, timestamp, ownerConsentFeedback: {status}}. */
export function parseConsentArgs(v: unknown): ConsentResult {
  if (!isPlainObject(v)) return parseFailure('the value is not an object with activityId, timestamp and ownerConsentFeedback');
  const problems: string[] = [];
  const b = base(v, problems, true);
  const f = parseOwnerConsentFeedback(v['ownerConsentFeedback']);
  if (!f.ok) problems.push(...f.problems);
  return problems.length > 0 || !f.ok ? { ok: false, problems } : { ok: true, consent: { ...b, ownerConsentFeedback: f.feedback } };
}

/** Outbox `feedback`. */
export function feedbackMessage(activityId: string, timestamp: number, desiredStateFeedback: DesiredStateFeedback) {
  return { activityId, timestamp, desiredStateFeedback };
}

/** Outbox `consent`. */
export function consentMessage(activityId: string, timestamp: number, ownerConsent: OwnerConsent) {
  return { activityId, timestamp, ownerConsent };
}

/** The feature's properties: {activityId, timestamp, domain, inventory}. */
export function featureProperties(domain: string, activityId: string, timestamp: number, inventory?: Inventory) {
  return { activityId, timestamp, domain, ...(inventory !== undefined ? { inventory } : {}) };
}
