export { createAzureBlobUploadProvider, blobUrl, blockId, AZURE_API_VERSION } from './azure-upload';
export type { AzureBlobUploadOptions } from './azure-upload';
export { AzureBlobErrorCodes } from './errors';
