export { createS3UploadProvider } from './s3-upload';
export type { S3UploadOptions } from './s3-upload';
export { signV4, uriEncode, canonicalQuery, amzDate, sha256Hex, EMPTY_SHA256 } from './sigv4';
export type { SigV4Credentials, SigV4Request } from './sigv4';
export { S3ErrorCodes } from './errors';
