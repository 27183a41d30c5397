// Errors of the Azure Blob upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const AzureBlobErrors = defineErrors({
  /** Azure Blob storage answered with an error status; the storage error code (AuthenticationFailed, ContainerNotFound, …) is in the message. */
  AZURE_STATUS: { code: 'LEDGE_FU_AZURE_STATUS', kind: 'FailedPrecondition', message: 'Azure {op} failed: HTTP {status}{azureCode}' },
  /** The connection to Azure Blob storage failed or broke during the transfer. */
  AZURE_FAILED: { code: 'LEDGE_FU_AZURE_FAILED', kind: 'Unavailable', message: 'Azure {op} failed: {reason}' },
});

export const AzureBlobErrorCodes = AzureBlobErrors.codes;

export function azureStatusError(op: string, status: number, headerCode: string, body: string): LedgeError {
  const code = headerCode || (/<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '');
  return AzureBlobErrors.create('AZURE_STATUS', { op, status, azureCode: code ? ` ${code}` : '' }, { details: { status, azureCode: code } });
}
export function azureFailedError(op: string, cause: unknown): LedgeError {
  return AzureBlobErrors.create('AZURE_FAILED', { op, reason: (cause as Error)?.message ?? String(cause) }, { cause });
}
