// Errors of the update-manager feature (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const UpdateManagerErrors = defineErrors({
  /** The reboot after a completed activity that needs one failed (`systemctl reboot` refused or missing); logged, the device stays up. */
  REBOOT_FAILED: { code: 'LEDGE_UM_REBOOT_FAILED', kind: 'Internal', message: 'cannot reboot: {why}' },
});

export const UpdateManagerErrorCodes = UpdateManagerErrors.codes;
export type UpdateManagerErrorCode = (typeof UpdateManagerErrorCodes)[keyof typeof UpdateManagerErrorCodes];

export function rebootFailedError(why: string, cause?: unknown): LedgeError {
  return UpdateManagerErrors.create('REBOOT_FAILED', { why }, { cause });
}
