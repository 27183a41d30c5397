// Errors of the update-manager feature (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { InternalError, type LedgeError } from '@ledge/shared/util';

export const UpdateManagerErrorCodes = Object.freeze({
  /** The reboot after a completed activity that needs one failed (`systemctl reboot` refused or missing); logged, the device stays up. */
  REBOOT_FAILED: 'LEDGE_UM_REBOOT_FAILED',
} as const);
export type UpdateManagerErrorCode = (typeof UpdateManagerErrorCodes)[keyof typeof UpdateManagerErrorCodes];

export function rebootFailedError(why: string, cause?: unknown): LedgeError {
  return new InternalError(UpdateManagerErrorCodes.REBOOT_FAILED, `cannot reboot: ${why}`, cause === undefined ? {} : { cause });
}
