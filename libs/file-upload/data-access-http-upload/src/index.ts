export { createHttpUploadProvider, headersFrom } from './http-upload';
export type { HttpUploadOptions } from './http-upload';
export { HttpUploadErrorCodes, safeUrl } from './errors';
