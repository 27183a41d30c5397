// Errors of the on-disk store (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// Node fs errors are translated here, once; the errno stays in `details.errno` and the original in `cause`.
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  formatMessage,
  type LedgeError,
} from '@ledge/shared/util';

export const StoreErrorCodes = Object.freeze({
  /** An option has a bad value (negative bound, unknown fsync policy, empty dir). */
  INVALID_OPTIONS: 'LEDGE_STORE_INVALID_OPTIONS',
  /** The store was used before open()/setup() finished. */
  NOT_OPEN: 'LEDGE_STORE_NOT_OPEN',
  /** The store was used after close()/destroy(). */
  CLOSED: 'LEDGE_STORE_CLOSED',
  /** The store directory could not be created, listed or read. */
  OPEN_FAILED: 'LEDGE_STORE_OPEN_FAILED',
  /** A file was written by a newer, incompatible format version. */
  UNSUPPORTED_FORMAT: 'LEDGE_STORE_UNSUPPORTED_FORMAT',
  /** Writing or fsyncing the journal failed (disk full, I/O error); the store stops accepting writes. */
  WRITE_FAILED: 'LEDGE_STORE_WRITE_FAILED',
  /** A torn or corrupt record was found on replay and cut off (logged as a warning, never thrown). */
  CORRUPT_RECORD: 'LEDGE_STORE_CORRUPT_RECORD',
  /** A record is larger than `maxRecordBytes`. */
  RECORD_TOO_LARGE: 'LEDGE_STORE_RECORD_TOO_LARGE',
  /** A value cannot be stored (symbol, bigint, class instance other than Buffer/Uint8Array). */
  UNENCODABLE: 'LEDGE_STORE_UNENCODABLE',
  /** A record passed its checksum but does not decode: a bug or a foreign file. */
  CORRUPT: 'LEDGE_STORE_CORRUPT',
  /** Writing a snapshot during compaction failed; the journal keeps working without it. */
  COMPACTION_FAILED: 'LEDGE_STORE_COMPACTION_FAILED',
  /** An aedes packet lookup (outgoingUpdate, incomingGetPacket, incomingDelPacket) found nothing. */
  NO_SUCH_PACKET: 'LEDGE_STORE_NO_SUCH_PACKET',
  /** Logged (warn, rate-limited) when the overflow rule drops queued messages; never thrown. */
  QUEUE_FULL: 'LEDGE_STORE_QUEUE_FULL',
  /** A record-store key or prefix is not a well-formed string of at most `maxKeyBytes` UTF-8 bytes. */
  INVALID_KEY: 'LEDGE_STORE_INVALID_KEY',
} as const);
export type StoreErrorCode = (typeof StoreErrorCodes)[keyof typeof StoreErrorCodes];

const messages: Readonly<Record<StoreErrorCode, string>> = Object.freeze({
  LEDGE_STORE_INVALID_OPTIONS: 'invalid store options: {problem}',
  LEDGE_STORE_NOT_OPEN: '{what} is not open yet',
  LEDGE_STORE_CLOSED: '{what} is closed',
  LEDGE_STORE_OPEN_FAILED: 'cannot open store directory {dir}: {reason}',
  LEDGE_STORE_UNSUPPORTED_FORMAT: '{file} has format version {version}, this build reads up to {supported}',
  LEDGE_STORE_WRITE_FAILED: 'journal {op} failed: {reason}',
  LEDGE_STORE_CORRUPT_RECORD: '{problem} record in {file} at offset {offset}',
  LEDGE_STORE_RECORD_TOO_LARGE: 'record of {bytes} bytes exceeds maxRecordBytes {max}',
  LEDGE_STORE_UNENCODABLE: 'cannot store a value of type {type}',
  LEDGE_STORE_CORRUPT: 'undecodable record: {problem}',
  LEDGE_STORE_COMPACTION_FAILED: 'journal compaction failed: {reason}',
  LEDGE_STORE_NO_SUCH_PACKET: 'no such packet',
  LEDGE_STORE_QUEUE_FULL: 'queue full: dropped {dropped} oldest messages',
  LEDGE_STORE_INVALID_KEY: 'invalid key: {problem}',
});

function message(code: StoreErrorCode, values: Record<string, unknown> = {}): string {
  return formatMessage(messages[code], values);
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errnoOf(err: unknown): { errno?: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { errno: code } : {};
}

export function invalidOptionsError(problem: string): LedgeError {
  return new InvalidArgumentError(StoreErrorCodes.INVALID_OPTIONS, message(StoreErrorCodes.INVALID_OPTIONS, { problem }));
}

export function notOpenError(what = 'store'): LedgeError {
  return new FailedPreconditionError(StoreErrorCodes.NOT_OPEN, message(StoreErrorCodes.NOT_OPEN, { what }));
}

export function closedError(what = 'store'): LedgeError {
  return new FailedPreconditionError(StoreErrorCodes.CLOSED, message(StoreErrorCodes.CLOSED, { what }));
}

export function openFailedError(dir: string, cause: unknown): LedgeError {
  return new UnavailableError(StoreErrorCodes.OPEN_FAILED, message(StoreErrorCodes.OPEN_FAILED, { dir, reason: reasonOf(cause) }), {
    cause,
    details: { dir, ...errnoOf(cause) },
  });
}

export function unsupportedFormatError(file: string, version: number, supported: number): LedgeError {
  return new FailedPreconditionError(
    StoreErrorCodes.UNSUPPORTED_FORMAT,
    message(StoreErrorCodes.UNSUPPORTED_FORMAT, { file, version, supported }),
    { details: { file, version, supported } },
  );
}

export function writeFailedError(op: string, file: string, cause: unknown): LedgeError {
  return new UnavailableError(StoreErrorCodes.WRITE_FAILED, message(StoreErrorCodes.WRITE_FAILED, { op, reason: reasonOf(cause) }), {
    cause,
    details: { op, file, ...errnoOf(cause) },
  });
}

export function recordTooLargeError(bytes: number, max: number): LedgeError {
  return new InvalidArgumentError(StoreErrorCodes.RECORD_TOO_LARGE, message(StoreErrorCodes.RECORD_TOO_LARGE, { bytes, max }), {
    details: { bytes, max },
  });
}

export function unencodableError(type: string): LedgeError {
  return new InvalidArgumentError(StoreErrorCodes.UNENCODABLE, message(StoreErrorCodes.UNENCODABLE, { type }), { details: { type } });
}

export function corruptError(problem: string): LedgeError {
  return new InternalError(StoreErrorCodes.CORRUPT, message(StoreErrorCodes.CORRUPT, { problem }), { details: { problem } });
}

export function compactionFailedError(cause: unknown): LedgeError {
  return new UnavailableError(StoreErrorCodes.COMPACTION_FAILED, message(StoreErrorCodes.COMPACTION_FAILED, { reason: reasonOf(cause) }), {
    cause,
    details: { ...errnoOf(cause) },
  });
}

/** aedes only checks that the promise rejects; the message stays the one aedes-persistence uses. */
export function noSuchPacketError(clientId: string, messageId: unknown): LedgeError {
  return new NotFoundError(StoreErrorCodes.NO_SUCH_PACKET, message(StoreErrorCodes.NO_SUCH_PACKET), { details: { clientId, messageId } });
}

export function invalidKeyError(problem: string, details: Record<string, unknown> = {}): LedgeError {
  return new InvalidArgumentError(StoreErrorCodes.INVALID_KEY, message(StoreErrorCodes.INVALID_KEY, { problem }), { details: { problem, ...details } });
}
