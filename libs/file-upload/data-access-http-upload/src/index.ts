export { createHttpUploadProvider, headersFrom } from './http-upload';
export type { HttpUploadOptions } from './http-upload';
export { HttpUploadErrorCodes, safeUrl } from './errors';
export { createHttpDownloader } from './http-download';
export type { HttpDownloader, HttpDownloadOptions, DownloadJob } from './http-download';
