// Errors of the Azure Blob upload provider (STYLE.md "Errors"): stable codes, listed in docs/errors.md.
import { FailedPreconditionError, UnavailableError, type LedgeError } from '@ledge/shared/util';

export const AzureBlobErrorCodes = Object.freeze({
  /** Azure Blob storage answered with an error status; the storage error code (AuthenticationFailed, ContainerNotFound, …) is in the message. */
  AZURE_STATUS: 'LEDGE_FU_AZURE_STATUS',
  /** The connection to Azure Blob storage failed or broke during the transfer. */
  AZURE_FAILED: 'LEDGE_FU_AZURE_FAILED',
} as const);

export function azureStatusError(op: string, status: number, headerCode: string, body: string): LedgeError {
  const code = headerCode || (/<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '');
  return new FailedPreconditionError(AzureBlobErrorCodes.AZURE_STATUS, `Azure ${op} failed: HTTP ${status}${code ? ` ${code}` : ''}`, { details: { status, azureCode: code } });
}
export function azureFailedError(op: string, cause: unknown): LedgeError {
  return new UnavailableError(AzureBlobErrorCodes.AZURE_FAILED, `Azure ${op} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
