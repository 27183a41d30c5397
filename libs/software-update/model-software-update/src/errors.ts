// Errors of the software-update model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { InvalidArgumentError, type LedgeError } from '@ledge/shared/util';

export const SoftwareUpdateModelErrorCodes = Object.freeze({
  /** An install/download request value is not a valid hawkBit update action (§5.2); answered with 400 messages:parameter.invalid. */
  REQUEST_INVALID: 'LEDGE_SU_REQUEST_INVALID',
} as const);
export type SoftwareUpdateModelErrorCode = (typeof SoftwareUpdateModelErrorCodes)[keyof typeof SoftwareUpdateModelErrorCodes];

export function requestInvalidError(operation: string, problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(SoftwareUpdateModelErrorCodes.REQUEST_INVALID, `invalid ${operation} request: ${problems.join('; ')}`, { details: { operation, problems } });
}
