// The journal's directory-level file work. Opening after a clean stop, a crash or a power cut: load the
// newest snapshot, replay the segments written after it, cut torn or corrupt tails off, and clear
// leftovers of an interrupted compaction; damage is logged and survived, never thrown: an edge gateway
// must come back. Compaction: write a snapshot beside the log, swap it in by rename, delete what it replaces.
import { join } from 'node:path';
import { isLedgeError, type Logger } from '@ledge/shared/util';
import { StoreErrorCodes, compactionFailedError, openFailedError } from './errors';
import { FILE_HEADER_BYTES, parseFileName, scanFile, segmentName, snapshotName, snapshotTempName, type FileKind, type ScanResult } from './journal-format';
import type { JournalFs } from './journal-fs';

/** Largest single write: appends are batched up to it, snapshots written in chunks of it. */
export const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

export interface ReplaySummary {
  /** Records handed to the replay callback. */
  records: number;
  /** Records that passed their checksum but made the replay callback throw (logged, skipped). */
  skipped: number;
  /** Number of the snapshot loaded, if any. */
  snapshot: number | undefined;
  /** Segment files replayed. */
  segments: number;
  /** Bytes cut off torn or corrupt tails. */
  truncatedBytes: number;
}

export interface Recovered {
  summary: ReplaySummary;
  /** Highest file number seen; the next segment gets a higher one. */
  lastNo: number;
  snapshotBytes: number;
  bytesSinceSnapshot: number;
}

interface Listing {
  segments: number[];
  snapshots: number[];
  temps: string[];
}

async function list(fs: JournalFs, dir: string): Promise<Listing> {
  const out: Listing = { segments: [], snapshots: [], temps: [] };
  for (const name of await fs.readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed?.kind === 'segment') out.segments.push(parsed.no);
    else if (parsed?.kind === 'snapshot') out.snapshots.push(parsed.no);
    else if (parsed?.kind === 'temp') out.temps.push(name);
  }
  out.segments.sort((a, b) => a - b);
  out.snapshots.sort((a, b) => a - b);
  return out;
}

async function truncate(fs: JournalFs, path: string, length: number): Promise<void> {
  const fd = await fs.open(path, 'r+');
  try {
    await fs.ftruncate(fd, length);
    await fs.fdatasync(fd);
  } finally {
    await fs.close(fd);
  }
}

/** Deletes segments and snapshots numbered below `no` (superseded by snapshot `no`). */
export async function deleteSuperseded(fs: JournalFs, dir: string, no: number, logger: Logger): Promise<number> {
  const { segments, snapshots } = await list(fs, dir);
  const names = [
    ...segments.filter((n) => n < no).map(segmentName),
    ...snapshots.filter((n) => n < no).map(snapshotName),
  ];
  let deleted = 0;
  for (const name of names) {
    try {
      await fs.unlink(join(dir, name));
      deleted++;
    } catch (err) {
      // A leftover costs disk space only: the next open or compaction deletes it again.
      logger.warn({ err, file: name }, 'cannot delete superseded journal file');
    }
  }
  return deleted;
}

export async function recoverJournal(
  fs: JournalFs,
  dir: string,
  maxRecordBytes: number,
  replay: (payload: Buffer) => void,
  logger: Logger,
): Promise<Recovered> {
  const summary: ReplaySummary = { records: 0, skipped: 0, snapshot: undefined, segments: 0, truncatedBytes: 0 };
  let file = '';
  const apply = (payload: Buffer) => {
    try {
      replay(payload);
      summary.records++;
    } catch (err) {
      summary.skipped++;
      logger.warn({ err, code: isLedgeError(err) ? err.code : StoreErrorCodes.CORRUPT, file }, 'skipping a journal record that does not replay');
    }
  };
  const scan = async (name: string, kind: FileKind): Promise<ScanResult> => {
    file = name;
    return scanFile(fs, join(dir, name), kind, maxRecordBytes, apply);
  };

  let listing: Listing;
  try {
    await fs.mkdir(dir);
    listing = await list(fs, dir);
    for (const name of listing.temps) await fs.unlink(join(dir, name));
  } catch (err) {
    throw openFailedError(dir, err);
  }

  let snapshotBytes = 0;
  const snapshotNo = listing.snapshots.at(-1);
  if (snapshotNo !== undefined) {
    const name = snapshotName(snapshotNo);
    const r = await scan(name, 'snapshot');
    snapshotBytes = r.fileBytes;
    summary.snapshot = snapshotNo;
    if (r.problem !== undefined) {
      // Snapshots are fsynced before they replace anything, so this is media damage, not a torn write.
      // Keep what decoded, set the file aside for forensics, and go on with the newer segments.
      logger.error(
        { code: StoreErrorCodes.CORRUPT_RECORD, file: name, offset: r.validBytes, problem: r.problem, lostBytes: r.fileBytes - r.validBytes },
        'journal snapshot is damaged; state after the damage is lost',
      );
      await fs.rename(join(dir, name), join(dir, `${name}.corrupt`));
    }
  }

  let bytesSinceSnapshot = 0;
  for (const no of listing.segments) {
    const name = segmentName(no);
    const path = join(dir, name);
    if (snapshotNo !== undefined && no < snapshotNo) {
      await fs.unlink(path); // superseded: a compaction stopped before its cleanup
      continue;
    }
    const r = await scan(name, 'segment');
    summary.segments++;
    if (r.problem !== undefined) {
      summary.truncatedBytes += r.fileBytes - r.validBytes;
      logger.warn(
        { code: StoreErrorCodes.CORRUPT_RECORD, file: name, offset: r.validBytes, problem: r.problem, droppedBytes: r.fileBytes - r.validBytes },
        'journal segment has a torn or corrupt tail; truncating it',
      );
    }
    if (r.problem === 'header') {
      await fs.rename(path, `${path}.corrupt`); // not ours or damaged at the start: keep it for forensics
    } else if (r.validBytes <= FILE_HEADER_BYTES) {
      await fs.unlink(path); // nothing (left) in it
    } else {
      if (r.problem !== undefined) await truncate(fs, path, r.validBytes);
      bytesSinceSnapshot += r.validBytes;
    }
  }
  const lastNo = Math.max(snapshotNo ?? 0, listing.segments.at(-1) ?? 0); // both lists are sorted
  return { summary, lastNo, snapshotBytes, bytesSinceSnapshot };
}

/** Writes `chunks` (header and framed records) as snapshot `no`: temp file, fdatasync, rename, directory fsync. */
export async function writeSnapshotFile(fs: JournalFs, dir: string, no: number, chunks: Buffer[], log: Logger): Promise<void> {
  const tmp = join(dir, snapshotTempName(no));
  try {
    const f = await fs.open(tmp, 'w');
    try {
      for (const chunk of chunks) await fs.write(f, chunk);
      // Always synced, whatever the policy: the rename below makes older files deletable.
      await fs.fdatasync(f);
    } finally {
      await fs.close(f);
    }
    await fs.rename(tmp, join(dir, snapshotName(no)));
    await fs.syncDir(dir);
  } catch (err) {
    await fs.unlink(tmp).catch((e: unknown) => log.debug({ err: e, file: tmp }, 'no snapshot temp file to remove'));
    throw compactionFailedError(err);
  }
}
