// Errors of the on-disk store (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// Node fs errors are translated here, once; the errno stays in `details.errno` and the original in `cause`.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const StoreErrors = defineErrors({
  /** An option has a bad value (negative bound, unknown fsync policy, empty dir). */
  INVALID_OPTIONS: { code: 'LEDGE_STORE_INVALID_OPTIONS', kind: 'InvalidArgument', message: 'invalid store options: {problem}' },
  /** The store was used before open()/setup() finished. */
  NOT_OPEN: { code: 'LEDGE_STORE_NOT_OPEN', kind: 'FailedPrecondition', message: '{what} is not open yet' },
  /** The store was used after close()/destroy(). */
  CLOSED: { code: 'LEDGE_STORE_CLOSED', kind: 'FailedPrecondition', message: '{what} is closed' },
  /** The store directory could not be created, listed or read. */
  OPEN_FAILED: { code: 'LEDGE_STORE_OPEN_FAILED', kind: 'Unavailable', message: 'cannot open store directory {dir}: {reason}' },
  /** A file was written by a newer, incompatible format version. */
  UNSUPPORTED_FORMAT: { code: 'LEDGE_STORE_UNSUPPORTED_FORMAT', kind: 'FailedPrecondition', message: '{file} has format version {version}, this build reads up to {supported}' },
  /** Writing or fsyncing the journal failed (disk full, I/O error); the store stops accepting writes. */
  WRITE_FAILED: { code: 'LEDGE_STORE_WRITE_FAILED', kind: 'Unavailable', message: 'journal {op} failed: {reason}' },
  /** A torn or corrupt record was found on replay and cut off (logged as a warning, never thrown). */
  CORRUPT_RECORD: { code: 'LEDGE_STORE_CORRUPT_RECORD', kind: 'Internal', message: '{problem} record in {file} at offset {offset}' },
  /** A record is larger than `maxRecordBytes`. */
  RECORD_TOO_LARGE: { code: 'LEDGE_STORE_RECORD_TOO_LARGE', kind: 'InvalidArgument', message: 'record of {bytes} bytes exceeds maxRecordBytes {max}' },
  /** A value cannot be stored (symbol, bigint, class instance other than Buffer/Uint8Array). */
  UNENCODABLE: { code: 'LEDGE_STORE_UNENCODABLE', kind: 'InvalidArgument', message: 'cannot store a value of type {type}' },
  /** A record passed its checksum but does not decode: a bug or a foreign file. */
  CORRUPT: { code: 'LEDGE_STORE_CORRUPT', kind: 'Internal', message: 'undecodable record: {problem}' },
  /** Writing a snapshot during compaction failed; the journal keeps working without it. */
  COMPACTION_FAILED: { code: 'LEDGE_STORE_COMPACTION_FAILED', kind: 'Unavailable', message: 'journal compaction failed: {reason}' },
  /** An aedes packet lookup (outgoingUpdate, incomingGetPacket, incomingDelPacket) found nothing. */
  NO_SUCH_PACKET: { code: 'LEDGE_STORE_NO_SUCH_PACKET', kind: 'NotFound', message: 'no such packet' },
  /** Logged (warn, rate-limited) when the overflow rule drops queued messages; never thrown. */
  QUEUE_FULL: { code: 'LEDGE_STORE_QUEUE_FULL', kind: 'FailedPrecondition', message: 'queue full: dropped {dropped} oldest messages' },
  /** A record-store key or prefix is not a well-formed string of at most `maxKeyBytes` UTF-8 bytes. */
  INVALID_KEY: { code: 'LEDGE_STORE_INVALID_KEY', kind: 'InvalidArgument', message: 'invalid key: {problem}' },
});

export const StoreErrorCodes = StoreErrors.codes;
export type StoreErrorCode = (typeof StoreErrorCodes)[keyof typeof StoreErrorCodes];

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errnoOf(err: unknown): { errno?: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { errno: code } : {};
}

export function invalidOptionsError(problem: string): LedgeError {
  return StoreErrors.create('INVALID_OPTIONS', { problem });
}

export function notOpenError(what = 'store'): LedgeError {
  return StoreErrors.create('NOT_OPEN', { what });
}

export function closedError(what = 'store'): LedgeError {
  return StoreErrors.create('CLOSED', { what });
}

export function openFailedError(dir: string, cause: unknown): LedgeError {
  return StoreErrors.create('OPEN_FAILED', { dir, reason: reasonOf(cause) }, { cause, details: { dir, ...errnoOf(cause) } });
}

export function unsupportedFormatError(file: string, version: number, supported: number): LedgeError {
  return StoreErrors.create('UNSUPPORTED_FORMAT', { file, version, supported }, { details: { file, version, supported } });
}

export function writeFailedError(op: string, file: string, cause: unknown): LedgeError {
  return StoreErrors.create('WRITE_FAILED', { op, reason: reasonOf(cause) }, { cause, details: { op, file, ...errnoOf(cause) } });
}

export function recordTooLargeError(bytes: number, max: number): LedgeError {
  return StoreErrors.create('RECORD_TOO_LARGE', { bytes, max }, { details: { bytes, max } });
}

export function unencodableError(type: string): LedgeError {
  return StoreErrors.create('UNENCODABLE', { type }, { details: { type } });
}

export function corruptError(problem: string): LedgeError {
  return StoreErrors.create('CORRUPT', { problem }, { details: { problem } });
}

export function compactionFailedError(cause: unknown): LedgeError {
  return StoreErrors.create('COMPACTION_FAILED', { reason: reasonOf(cause) }, { cause, details: { ...errnoOf(cause) } });
}

/** aedes only checks that the promise rejects; the message stays the one aedes-persistence uses. */
export function noSuchPacketError(clientId: string, messageId: unknown): LedgeError {
  return StoreErrors.create('NO_SUCH_PACKET', {}, { details: { clientId, messageId } });
}

export function invalidKeyError(problem: string, details: Record<string, unknown> = {}): LedgeError {
  return StoreErrors.create('INVALID_KEY', { problem }, { details: { problem, ...details } });
}
