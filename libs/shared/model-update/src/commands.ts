// Commands from the manager to an agent (`/desiredstate/command`) and owner consent (Kanto
// update-manager api/types desired_state.go, owner_consent.go, docs/owner-consent-specification.md).
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export const COMMANDS = ['DOWNLOAD', 'UPDATE', 'ACTIVATE', 'ROLLBACK', 'CLEANUP'] as const;
export type Command = (typeof COMMANDS)[number];

export interface DesiredStateCommand {
  readonly command: Command;
  readonly baseline?: string;
}

export const isCommand = (s: unknown): s is Command => typeof s === 'string' && (COMMANDS as readonly string[]).includes(s);

export type CommandResult = { readonly ok: true; readonly command: DesiredStateCommand } | ParseFailure;

export function parseCommand(v: unknown): CommandResult {
  if (!isPlainObject(v)) return parseFailure('command: not an object with command');
  if (!isCommand(v['command'])) return parseFailure(`command.command: ${JSON.stringify(v['command'])} is not one of ${COMMANDS.join(', ')}`);
  const baseline = v['baseline'];
  if (baseline !== undefined && typeof baseline !== 'string') return parseFailure('command.baseline: not a string');
  return { ok: true, command: { command: v['command'], ...(typeof baseline === 'string' && baseline !== '' ? { baseline } : {}) } };
}

export interface OwnerConsent {
  readonly command: Command;
}

export type ConsentStatus = 'APPROVED' | 'DENIED';

export interface OwnerConsentFeedback {
  readonly status: ConsentStatus;
}

export type ConsentFeedbackResult = { readonly ok: true; readonly feedback: OwnerConsentFeedback } | ParseFailure;

export function parseOwnerConsentFeedback(v: unknown, at = 'ownerConsentFeedback'): ConsentFeedbackResult {
  if (!isPlainObject(v)) return parseFailure(`${at}: not an object with status`);
  const s = v['status'];
  if (s !== 'APPROVED' && s !== 'DENIED') return parseFailure(`${at}.status: ${JSON.stringify(s)} is not APPROVED or DENIED`);
  return { ok: true, feedback: { status: s } };
}
