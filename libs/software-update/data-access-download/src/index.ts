export { createDownloader, defaultDownloaderOptions, digestFile } from './downloader';
export { partialPaths } from './partial-file';
export type { Downloader, DownloaderOptions, DownloadRequest, DownloadResult, DownloadChecksum } from './downloader';
export { DownloadErrorCodes } from './errors';
export type { DownloadErrorCode } from './errors';
