// Errors of the update-manager model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { InvalidArgumentError, type LedgeError } from '@ledge/shared/util';

export const UpdateManagerModelErrorCodes = Object.freeze({
  /** An UpdateManager `apply` without a desired state, or one that does not parse; answered 400 messages:parameter.invalid with every problem, and reported IDENTIFICATION_FAILED for its activity. */
  APPLY_INVALID: 'LEDGE_UM_APPLY_INVALID',
  /** An UpdateManager `refresh` whose activityId or timestamp is malformed; answered 400. */
  REFRESH_INVALID: 'LEDGE_UM_REFRESH_INVALID',
  /** An UpdateManager `consent` whose value is malformed (no ownerConsentFeedback, a status other than APPROVED/DENIED); answered 400. */
  CONSENT_INVALID: 'LEDGE_UM_CONSENT_INVALID',
  /** An UpdateManager `consent` whose correlation-id is not that of the last outbox `consent` (or none is pending); answered 400 as Kanto does ("correlation id mismatch"). */
  CONSENT_UNEXPECTED: 'LEDGE_UM_CONSENT_UNEXPECTED',
} as const);
export type UpdateManagerModelErrorCode = (typeof UpdateManagerModelErrorCodes)[keyof typeof UpdateManagerModelErrorCodes];

export function applyInvalidError(problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(UpdateManagerModelErrorCodes.APPLY_INVALID, `invalid apply: ${problems.join('; ')}`, { details: { problems } });
}

export function refreshInvalidError(problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(UpdateManagerModelErrorCodes.REFRESH_INVALID, `invalid refresh: ${problems.join('; ')}`, { details: { problems } });
}

export function consentInvalidError(problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(UpdateManagerModelErrorCodes.CONSENT_INVALID, `invalid consent: ${problems.join('; ')}`, { details: { problems } });
}

export function consentUnexpectedError(why: string): LedgeError {
  return new InvalidArgumentError(UpdateManagerModelErrorCodes.CONSENT_UNEXPECTED, `correlation id mismatch: ${why}`);
}
