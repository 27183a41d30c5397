// The pluggable upload target (generic HTTP, S3, Azure Blob). Every implementation passes the contract
// suite in ./testing (STYLE.md "Tests").
import type { UploadOptions } from './operations';

/** The bytes of one file; `stream(start, end)` yields [start, end) (end exclusive). */
export interface UploadSource {
  readonly path: string;
  readonly size: number;
  stream(start: number, end: number): AsyncIterable<Uint8Array>;
}

/** Where a provider keeps resume state (multipart upload ID, parts done) across restarts. */
export interface Checkpoint {
  load(): Promise<unknown>;
  save(value: unknown): Promise<void>;
  clear(): Promise<void>;
}

export interface UploadJob {
  readonly source: UploadSource;
  readonly options: UploadOptions;
  /** Base64 MD5 of the whole file when `checksum` is on (Content-MD5). */
  readonly md5?: string | undefined;
  readonly signal: AbortSignal;
  /** Bytes acknowledged (or sent) so far; non-decreasing. */
  onProgress(bytes: number): void;
  readonly checkpoint?: Checkpoint | undefined;
  /** Bytes per part for multipart-capable providers. */
  readonly partSize?: number | undefined;
}

export interface UploadProvider {
  /** `generic`, `aws`, `azure`: the value of option `storage.provider`. */
  readonly name: string;
  /** Throws LEDGE_FU_PROVIDER_OPTION_INVALID (InvalidArgument) for missing/invalid options, before anything is sent. */
  validate(options: UploadOptions): void;
  upload(job: UploadJob): Promise<void>;
}
