// Errors of the update-manager model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const UpdateManagerModelErrors = defineErrors({
  /** An UpdateManager `apply` without a desired state, or one that does not parse; answered 400 messages:parameter.invalid with every problem, and reported IDENTIFICATION_FAILED for its activity. */
  APPLY_INVALID: { code: 'LEDGE_UM_APPLY_INVALID', kind: 'InvalidArgument', message: 'invalid apply: {problems}' },
  /** An UpdateManager `refresh` whose activityId or timestamp is malformed; answered 400. */
  REFRESH_INVALID: { code: 'LEDGE_UM_REFRESH_INVALID', kind: 'InvalidArgument', message: 'invalid refresh: {problems}' },
  /** An UpdateManager `consent` whose value is malformed (no ownerConsentFeedback, a status other than APPROVED/DENIED); answered 400. */
  CONSENT_INVALID: { code: 'LEDGE_UM_CONSENT_INVALID', kind: 'InvalidArgument', message: 'invalid consent: {problems}' },
  /** An UpdateManager `consent` whose correlation-id is not that of the last outbox `consent` (or none is pending); answered 400 as Kanto does ("correlation id mismatch"). */
  CONSENT_UNEXPECTED: { code: 'LEDGE_UM_CONSENT_UNEXPECTED', kind: 'InvalidArgument', message: 'correlation id mismatch: {why}' },
});

export const UpdateManagerModelErrorCodes = UpdateManagerModelErrors.codes;
export type UpdateManagerModelErrorCode = (typeof UpdateManagerModelErrorCodes)[keyof typeof UpdateManagerModelErrorCodes];

export function applyInvalidError(problems: readonly string[]): LedgeError {
  return UpdateManagerModelErrors.create('APPLY_INVALID', { problems: problems.join('; ') }, { details: { problems } });
}

export function refreshInvalidError(problems: readonly string[]): LedgeError {
  return UpdateManagerModelErrors.create('REFRESH_INVALID', { problems: problems.join('; ') }, { details: { problems } });
}

export function consentInvalidError(problems: readonly string[]): LedgeError {
  return UpdateManagerModelErrors.create('CONSENT_INVALID', { problems: problems.join('; ') }, { details: { problems } });
}

export function consentUnexpectedError(why: string): LedgeError {
  return UpdateManagerModelErrors.create('CONSENT_UNEXPECTED', { why });
}
