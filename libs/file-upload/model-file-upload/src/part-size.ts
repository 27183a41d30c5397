// Part sizes within the stores' limits. S3 multipart (docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html):
// every part but the last at least 5 MiB, at most 5 GiB, at most 10,000 parts (objects up to 5 TiB).
// Azure block blobs (Put Block, API version 2019-12-12 and later): blocks up to 4000 MiB, at most
// 50,000 per blob.
const MiB = 1024 * 1024;

export interface PartLimits {
  /** Smallest part but the last. */
  readonly minPart: number;
  readonly maxPart: number;
  readonly maxParts: number;
}

export const S3_PART_LIMITS: PartLimits = Object.freeze({ minPart: 5 * MiB, maxPart: 5 * 1024 * MiB, maxParts: 10_000 });
export const AZURE_BLOCK_LIMITS: PartLimits = Object.freeze({ minPart: 1, maxPart: 4000 * MiB, maxParts: 50_000 });

/** The `partSize` range valid for both stores (config check): S3's smallest part to Azure's largest block. */
export const PART_SIZE_RANGE = Object.freeze({ min: S3_PART_LIMITS.minPart, max: AZURE_BLOCK_LIMITS.maxPart });

/**
 * The part size for one file: the requested size raised to the store's minimum and, for a file that
 * would need more than `maxParts` parts, raised (to whole MiB) until it does not; at most `maxPart`.
 * A file beyond maxPart × maxParts is beyond the store's object limit anyway (S3: 5 TiB) and is refused
 * by the store.
 */
export function partSizeFor(fileSize: number, requested: number, limits: PartLimits): number {
  let part = Math.max(Math.floor(requested), limits.minPart);
  const needed = Math.ceil(fileSize / limits.maxParts);
  if (needed > part) part = Math.ceil(needed / MiB) * MiB;
  return Math.min(part, limits.maxPart);
}
