// A durable key → JSON-like record store for the connector's local digital twins (issue 20: "the store
// survives power cuts, same guarantees as the outbox"). The whole state lives in a Map; every change is one
// journal record (a batch too, so a multi-record change is all-or-nothing across a crash), and compaction
// rewrites the live records into a snapshot. Same journal and fsync policies as the outbox.
import { onlyOnce, type Logger, withDefaults } from '@ledge/shared/util';
import { ByteWriter } from './codec';
import { closedError, invalidOptionsError, notOpenError, recordTooLargeError } from './errors';
import { createJournal, defaultJournalOptions, type FsyncPolicy, type Journal, type JournalStats } from './journal';
import type { JournalFs } from './journal-fs';
import { applyOps, checkKey, checkOp, decodeRecord, encodeRecord, type RecordStoreOp } from './record-store-codec';

export type { RecordStoreOp } from './record-store-codec';

export interface RecordStoreOptions {
  /** Journal directory, created if missing. One process per directory. */
  dir: string;
  logger: Logger;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  maxSegmentBytes?: number;
  /** Automatic compaction thresholds, as for the journal; `compactMinBytes: 0` turns it off. */
  compactMinBytes?: number;
  compactRatio?: number;
  /** Largest record a put/delete/batch may write (a batch is one record). Not applied on replay. */
  maxRecordBytes?: number;
  /** Longest key or prefix, in UTF-8 bytes. */
  maxKeyBytes?: number;
  fs?: JournalFs;
}

export const defaultRecordStoreOptions = Object.freeze({
  fsync: 'interval' as FsyncPolicy,
  fsyncIntervalMs: 200,
  // a whole Ditto thing is limited to 100 kB by default; a batch replacing one fits with room to spare
  maxRecordBytes: 1024 * 1024,
  maxKeyBytes: 4096,
});

export interface RecordStoreStats {
  keys: number;
  journal: JournalStats;
}

/**
 * Every change updates memory at once and is journalled before the call returns; `flush()` makes it
 * durable according to the fsync policy (a process crash never loses what `written()` resolved for).
 * Lookups and changes throw LEDGE_STORE_NOT_OPEN before `open()` and LEDGE_STORE_CLOSED after `close()`.
 */
export interface RecordStore {
  /** Replays the directory (a torn or corrupt tail is cut off and logged, as the journal does). */
  open(): Promise<void>;
  /** The stored value, deep-frozen and shared with later calls; undefined when the key is absent. */
  get(key: string): unknown;
  has(key: string): boolean;
  /** Keys starting with `prefix` (all without one), sorted by UTF-16 code units (`Array#sort`). O(size). */
  keys(prefix?: string): string[];
  readonly size: number;
  /** Stores a JSON-like value (see checkValue); LEDGE_STORE_UNENCODABLE / _INVALID_KEY / _RECORD_TOO_LARGE leave the store unchanged. */
  put(key: string, value: unknown): void;
  /** Removes a key; writes nothing when it is absent. */
  delete(key: string): void;
  /** Removes every key starting with `prefix` in one record ('' removes all); returns how many. Writes nothing when none match. */
  deletePrefix(prefix: string): number;
  /** Applies the ops in order as ONE journal record: after a crash either all of them are there or none. */
  batch(ops: readonly RecordStoreOp[]): void;
  /** Resolves once every change so far is written and, unless fsync is 'never', fdatasync'ed. */
  flush(): Promise<void>;
  /** Resolves once every change so far is written to the file (survives a process crash, not a power cut). */
  written(): Promise<void>;
  /** Rewrites the live records into a snapshot and deletes the older files. */
  compact(): Promise<void>;
  stats(): RecordStoreStats;
  /** Writes and syncs what is queued, then closes the files. Idempotent. */
  close(): Promise<void>;
}

const WHAT = 'record store';

export function createRecordStore(options: RecordStoreOptions): RecordStore {
  const o = withDefaults(defaultRecordStoreOptions, options);
  for (const k of ['maxRecordBytes', 'maxKeyBytes'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1) throw invalidOptionsError(`${k} must be a positive integer`);
  }
  const log = o.logger.child({ component: 'store-records' });
  const journal: Journal = createJournal({
    dir: o.dir,
    logger: o.logger.child({ store: 'records' }),
    fsync: o.fsync,
    fsyncIntervalMs: o.fsyncIntervalMs,
    maxSegmentBytes: o.maxSegmentBytes,
    compactMinBytes: o.compactMinBytes,
    compactRatio: o.compactRatio,
    // The journal also reads a longer length field as corruption on replay: lowering the store's bound
    // must never cut off records written under a higher one, so the journal keeps its own generous bound.
    maxRecordBytes: Math.max(defaultJournalOptions.maxRecordBytes, o.maxRecordBytes),
    fs: o.fs,
  });
  const records = new Map<string, unknown>();
  // One scratch writer: encoding is synchronous, and the journal copies each payload (also snapshot ones).
  const w = new ByteWriter();
  let status: 'new' | 'opening' | 'open' | 'closed' = 'new';

  function check(): void {
    if (status !== 'open') throw status === 'closed' ? closedError(WHAT) : notOpenError(WHAT);
  }

  /**
   * check → encode → decode → append → apply: nothing changes unless every step before the append
   * succeeded, and memory holds exactly what a replay of the record will produce.
   */
  function commit(ops: readonly RecordStoreOp[]): number {
    check();
    for (const op of ops) checkOp(op, o.maxKeyBytes);
    const payload = encodeRecord(w, ops);
    if (payload.length > o.maxRecordBytes) throw recordTooLargeError(payload.length, o.maxRecordBytes);
    const decoded = decodeRecord(payload);
    journal.append(payload);
    return applyOps(records, decoded);
  }

  const replay = (payload: Buffer) => void applyOps(records, decodeRecord(payload));

  function* snapshot(): Generator<Buffer> {
    for (const [key, value] of records) yield encodeRecord(w, [{ put: [key, value] }]);
  }

  function matching(prefix: string): string[] {
    const out: string[] = [];
    for (const key of records.keys()) if (key.startsWith(prefix)) out.push(key);
    return out;
  }

  const checked = <T>(fn: () => Promise<T>) => async (): Promise<T> => {
    check();
    return fn();
  };

  return {
    async open() {
      if (status !== 'new') throw status === 'closed' ? closedError(WHAT) : invalidOptionsError('open() called twice');
      status = 'opening';
      try {
        await journal.open({ replay, snapshot });
      } catch (err) {
        status = 'closed';
        throw err;
      }
      if (status === 'opening') status = 'open'; // not when close() came first
      log.info({ keys: records.size }, 'record store loaded');
    },
    get(key) {
      check();
      return records.get(key);
    },
    has(key) {
      check();
      return records.has(key);
    },
    keys(prefix = '') {
      check();
      return matching(prefix).sort();
    },
    get size() {
      return records.size;
    },
    put(key, value) {
      commit([{ put: [key, value] }]);
    },
    delete(key) {
      check();
      checkKey(key, o.maxKeyBytes);
      if (records.has(key)) commit([{ delete: key }]);
    },
    deletePrefix(prefix) {
      check();
      checkKey(prefix, o.maxKeyBytes, 'prefix');
      for (const key of records.keys()) if (key.startsWith(prefix)) return commit([{ deletePrefix: prefix }]);
      return 0;
    },
    batch(ops) {
      check();
      if (ops.length > 0) commit(ops);
    },
    flush: checked(() => journal.flush()),
    written: checked(() => journal.written()),
    compact: checked(() => journal.compact()),
    stats: () => ({ keys: records.size, journal: journal.stats() }),
    close: onlyOnce(async () => {
      status = 'closed';
      await journal.close();
    }),
  };
}
