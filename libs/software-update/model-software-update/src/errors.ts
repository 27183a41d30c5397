// Errors of the software-update model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const SoftwareUpdateModelErrors = defineErrors({
  /** An install/download request value is not a valid hawkBit update action (§5.2); answered with 400 messages:parameter.invalid. */
  REQUEST_INVALID: { code: 'LEDGE_SU_REQUEST_INVALID', kind: 'InvalidArgument', message: 'invalid {operation} request: {problems}' },
});

export const SoftwareUpdateModelErrorCodes = SoftwareUpdateModelErrors.codes;
export type SoftwareUpdateModelErrorCode = (typeof SoftwareUpdateModelErrorCodes)[keyof typeof SoftwareUpdateModelErrorCodes];

export function requestInvalidError(operation: string, problems: readonly string[]): LedgeError {
  return SoftwareUpdateModelErrors.create('REQUEST_INVALID', { operation, problems: problems.join('; ') }, { details: { operation, problems } });
}
