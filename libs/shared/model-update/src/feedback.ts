// Desired-state feedback (Kanto update-manager docs/desired-state-feedback-specification.md,
// api/types/desired_state_feedback.go): an overall/baseline status, a message and the status of each
// action (one per component to create, update, remove...). Agents send it to the manager; the manager
// sends its aggregate to the cloud. Both directions are parsed as untrusted.
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import type { Component } from './desired-state';
import { UPDATE_LIMITS } from './envelope';

export const STATUSES = [
  'IDENTIFYING',
  'IDENTIFIED',
  'IDENTIFICATION_FAILED',
  'RUNNING',
  'COMPLETED',
  'INCOMPLETE',
  'INCOMPLETE_INCONSISTENT',
  'SUPERSEDED',
  'DOWNLOADING',
  'DOWNLOAD_SUCCESS',
  'DOWNLOAD_FAILURE',
  'UPDATING',
  'UPDATE_SUCCESS',
  'UPDATE_FAILURE',
  'ACTIVATING',
  'ACTIVATION_SUCCESS',
  'ACTIVATION_FAILURE',
  'CLEANUP',
  'CLEANUP_SUCCESS',
  'CLEANUP_FAILURE',
  'ROLLBACK',
  'ROLLBACK_SUCCESS',
  'ROLLBACK_FAILURE',
] as const;
export type Status = (typeof STATUSES)[number];

export const ACTION_STATUSES = [
  'IDENTIFIED',
  'DOWNLOADING',
  'DOWNLOAD_FAILURE',
  'DOWNLOAD_SUCCESS',
  'UPDATING',
  'UPDATE_FAILURE',
  'UPDATE_SUCCESS',
  'REMOVING',
  'REMOVAL_FAILURE',
  'REMOVAL_SUCCESS',
  'ACTIVATING',
  'ACTIVATION_FAILURE',
  'ACTIVATION_SUCCESS',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export interface Action {
  readonly component: Component;
  readonly status: ActionStatus;
  /** 0–100 */
  readonly progress?: number;
  readonly message?: string;
}

export interface DesiredStateFeedback {
  readonly baseline?: string;
  readonly status: Status;
  readonly message?: string;
  readonly actions?: readonly Action[];
}

/** Statuses that end an activity. */
export const FINAL_STATUSES: ReadonlySet<Status> = new Set(['COMPLETED', 'INCOMPLETE', 'INCOMPLETE_INCONSISTENT', 'IDENTIFICATION_FAILED', 'SUPERSEDED']);

export type FeedbackResult = { readonly ok: true; readonly feedback: DesiredStateFeedback } | ParseFailure;

const isStatus = (s: unknown): s is Status => typeof s === 'string' && (STATUSES as readonly string[]).includes(s);
const isActionStatus = (s: unknown): s is ActionStatus => typeof s === 'string' && (ACTION_STATUSES as readonly string[]).includes(s);

export function parseFeedback(v: unknown, at = 'feedback'): FeedbackResult {
  if (!isPlainObject(v)) return parseFailure(`${at}: not an object with status`);
  const problems: string[] = [];
  if (!isStatus(v['status'])) problems.push(`${at}.status: ${JSON.stringify(v['status'])} is not a desired-state status`);
  const message = v['message'];
  if (message !== undefined && typeof message !== 'string') problems.push(`${at}.message: not a string`);
  const baseline = v['baseline'];
  if (baseline !== undefined && typeof baseline !== 'string') problems.push(`${at}.baseline: not a string`);
  const actions: Action[] = [];
  const list = v['actions'];
  if (list !== undefined && !Array.isArray(list)) problems.push(`${at}.actions: not an array`);
  if (Array.isArray(list)) {
    list.forEach((a, i) => {
      const here = `${at}.actions[${i}]`;
      if (!isPlainObject(a)) return void problems.push(`${here}: not an object`);
      const c = a['component'];
      if (!isPlainObject(c) || typeof c['id'] !== 'string') return void problems.push(`${here}.component: not an object with an id`);
      if (!isActionStatus(a['status'])) return void problems.push(`${here}.status: ${JSON.stringify(a['status'])} is not an action status`);
      const progress = a['progress'];
      if (progress !== undefined && (typeof progress !== 'number' || progress < 0 || progress > 100)) return void problems.push(`${here}.progress: not 0–100`);
      const m = a['message'];
      if (m !== undefined && typeof m !== 'string') return void problems.push(`${here}.message: not a string`);
      actions.push({
        component: { id: c['id'], ...(typeof c['version'] === 'string' ? { version: c['version'] } : {}) },
        status: a['status'],
        ...(progress !== undefined ? { progress: Math.round(progress as number) } : {}),
        ...(m !== undefined ? { message: clip(m as string) } : {}),
      });
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    feedback: {
      status: v['status'] as Status,
      ...(typeof baseline === 'string' && baseline !== '' ? { baseline } : {}),
      ...(typeof message === 'string' && message !== '' ? { message: clip(message) } : {}),
      ...(list !== undefined ? { actions } : {}),
    },
  };
}

function clip(s: string): string {
  return s.length > UPDATE_LIMITS.messageChars ? `${s.slice(0, UPDATE_LIMITS.messageChars - 1)}…` : s;
}
