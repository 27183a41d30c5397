// Options, defaults and the interface of the journal (the engine is in journal.ts).
import type { Logger } from '@ledge/shared/util';
import { invalidOptionsError } from './errors';
import type { JournalFs } from './journal-fs';
import type { ReplaySummary } from './journal-files';

export type { ReplaySummary } from './journal-files';

/**
 * - `always`: fdatasync after every group-committed write; flush() waits for it (safe against power cuts).
 * - `interval`: fdatasync at most every `fsyncIntervalMs` while there is unsynced data; a power cut loses
 *   at most that window, a process crash loses only what was not yet written (one event-loop turn).
 * - `never`: leave it to the kernel (a power cut may lose ~30 s). Snapshots are still synced.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalOptions {
  /** Directory of the segment and snapshot files; created if missing. One process per directory. */
  dir: string;
  logger: Logger;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** A segment is closed and a new one started once it holds this many bytes. */
  maxSegmentBytes?: number;
  /** Largest record accepted by append() and on replay (a larger length field reads as corruption). */
  maxRecordBytes?: number;
  /**
   * Compact automatically once the segments since the last snapshot hold at least this many bytes
   * and at least `compactRatio` times the size of that snapshot. 0 turns automatic compaction off.
   */
  compactMinBytes?: number;
  compactRatio?: number;
  fs?: JournalFs;
}

export const defaultJournalOptions = Object.freeze({
  fsync: 'interval' as FsyncPolicy,
  fsyncIntervalMs: 200,
  maxSegmentBytes: 8 * 1024 * 1024,
  // MQTT's largest packet (256 MiB) plus room for the record's own fields
  maxRecordBytes: 257 * 1024 * 1024,
  compactMinBytes: 16 * 1024 * 1024,
  compactRatio: 2,
});

export interface JournalHandler {
  /** Called with every record on open, snapshot first, in append order. Throwing skips the record. */
  replay(payload: Buffer): void;
  /**
   * Encodes the live state as records; iterated synchronously when a compaction starts. Each payload
   * is copied before the next one is requested, so a generator may reuse one scratch buffer.
   */
  snapshot(): Iterable<Buffer>;
}

export interface JournalStats {
  segment: number;
  segmentBytes: number;
  bytesSinceSnapshot: number;
  snapshotBytes: number;
  /** Records appended, written to the file, and covered by an fsync, since open. */
  appended: number;
  written: number;
  synced: number;
  compactions: number;
  failed: boolean;
}

export interface Journal {
  /** Replays the directory into `handler` and opens a fresh segment for appends. */
  open(handler: JournalHandler): Promise<ReplaySummary>;
  /**
   * Queues a record (the bytes are copied: the caller may reuse its buffer); it is written with
   * everything else appended in the same event-loop turn.
   */
  append(payload: Uint8Array): void;
  /** Resolves once every record appended so far is written and, unless fsync is 'never', fdatasync'ed. */
  flush(): Promise<void>;
  /** Resolves once every record appended so far is written to its file (a killed process keeps it; no fdatasync). */
  written(): Promise<void>;
  /** Writes a snapshot of handler.snapshot() and deletes the segments it replaces. */
  compact(): Promise<void>;
  stats(): JournalStats;
  /** Writes and syncs what is queued, then closes the files. Idempotent. */
  close(): Promise<void>;
}

export function validateJournalOptions(o: Required<Omit<JournalOptions, 'fs'>>): void {
  if (!o.dir) throw invalidOptionsError('dir is required');
  if (!['always', 'interval', 'never'].includes(o.fsync)) throw invalidOptionsError(`fsync must be always, interval or never, not ${o.fsync}`);
  for (const k of ['fsyncIntervalMs', 'maxSegmentBytes', 'maxRecordBytes', 'compactMinBytes', 'compactRatio'] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw invalidOptionsError(`${k} must be a non-negative number`);
  }
  if (o.fsync === 'interval' && o.fsyncIntervalMs < 1) throw invalidOptionsError('fsyncIntervalMs must be at least 1');
}
