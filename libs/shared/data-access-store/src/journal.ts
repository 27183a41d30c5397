// A crash-safe append-only journal: CRC-framed records in numbered segment files, group commit (every
// append made in one event-loop turn goes out in one write), an fsync policy, and compaction into a
// snapshot of the live state written beside the log and swapped in by an atomic rename.
import { join } from 'node:path';
import { isLedgeError, onlyOnce, type LedgeError, withDefaults } from '@ledge/shared/util';
import {
  closedError,
  invalidOptionsError,
  notOpenError,
  openFailedError,
  recordTooLargeError,
  unencodableError,
  writeFailedError,
} from './errors';
import { FILE_HEADER_BYTES, FrameBuilder, fileHeader, segmentName } from './journal-format';
import { nodeJournalFs } from './journal-fs';
import { WRITE_BATCH_BYTES, deleteSuperseded, recoverJournal, writeSnapshotFile, type ReplaySummary } from './journal-files';
import { defaultJournalOptions, validateJournalOptions, type Journal, type JournalHandler, type JournalOptions } from './journal-types';

export { defaultJournalOptions } from './journal-types';
export type { FsyncPolicy, Journal, JournalHandler, JournalOptions, JournalStats, ReplaySummary } from './journal-types';

interface DataTask {
  kind: 'data';
  frames: FrameBuilder;
  firstSeq: number;
  lastSeq: number;
}
interface Waiter {
  target: number;
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (err: LedgeError) => void;
}
interface RotateTask {
  kind: 'rotate';
  no: number;
  compaction: boolean;
  done: Promise<void>;
  settle: (err?: LedgeError) => void;
}

export function createJournal(options: JournalOptions): Journal {
  const o = withDefaults(defaultJournalOptions, options);
  validateJournalOptions(o);
  const fs = options.fs ?? nodeJournalFs;
  const { dir } = o;
  const log = options.logger.child({ component: 'store-journal' });
  const needSync = o.fsync !== 'never';

  let state: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  let handler: JournalHandler | undefined;
  let tasks: (DataTask | RotateTask)[] = [];
  let fd = -1;
  let segNo = 0;
  let segBytes = 0;
  let lastNo = 0;
  let appended = 0;
  let written = 0;
  let synced = 0;
  let writing = false;
  let rotating = false;
  let rotateQueued = false;
  let syncing: Promise<void> | undefined;
  let syncAgain = false;
  let failure: LedgeError | undefined;
  /** flush(): settled once written and, unless fsync is 'never', synced. */
  const waiters: Waiter[] = [];
  /** written(): settled once written. */
  const writeWaiters: Waiter[] = [];
  const idle: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let bytesSinceSnapshot = 0;
  let snapshotBytes = 0;
  let compacting: Promise<void> | undefined;
  let compactions = 0;
  let opening: Promise<ReplaySummary> | undefined;

  const usable = (): LedgeError | undefined =>
    state === 'new' || state === 'opening' ? notOpenError('journal') : state === 'open' ? failure : (failure ?? closedError('journal'));

  function settleList(list: Waiter[], done: number): void {
    let n = 0;
    while (n < list.length && list[n]!.target <= done) n++;
    if (n > 0) for (const w of list.splice(0, n)) w.resolve();
  }

  function settle(): void {
    settleList(writeWaiters, written);
    settleList(waiters, needSync ? synced : written);
  }

  /** A promise settled once `done()` reaches what is appended now; one per pending batch (group commit). */
  function waitUntil(list: Waiter[], done: number): Promise<void> {
    if (state === 'new' || state === 'opening') return Promise.reject(notOpenError('journal'));
    if (failure) return Promise.reject(failure);
    const target = appended;
    if (done >= target) return Promise.resolve();
    // Group commit shares one waiter: every call whose records sit in the same not-yet-written batch is
    // settled by the same write (and fdatasync), so they can wait on one promise instead of one each (the
    // connector flushes once per message, the broker once per QoS 1/2 PUBLISH).
    const tail = list.at(-1);
    const open = tasks.at(-1);
    if (tail !== undefined && open?.kind === 'data' && tail.target >= open.firstSeq && target <= open.lastSeq) {
      tail.target = target;
      return tail.promise;
    }
    let resolveFn: () => void = () => undefined;
    let rejectFn: (err: LedgeError) => void = () => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      resolveFn = resolve;
      rejectFn = reject;
    });
    list.push({ target, promise, resolve: resolveFn, reject: rejectFn });
    return promise;
  }

  function fail(op: string, err: unknown): void {
    if (failure) return;
    failure = writeFailedError(op, segmentName(segNo), err);
    log.error({ err: failure, code: failure.code }, 'journal write failed; the store accepts no more writes');
    for (const t of tasks) if (t.kind === 'rotate') t.settle(failure);
    tasks = [];
    for (const w of [...writeWaiters.splice(0), ...waiters.splice(0)]) w.reject(failure);
  }

  function kick(): void {
    if (writing || tasks.length === 0 || failure) return;
    writing = true;
    setImmediate(() => void runWriter());
  }

  async function runWriter(): Promise<void> {
    while (tasks.length > 0 && !failure) {
      const task = tasks.shift()!;
      if (task.kind === 'rotate') {
        try {
          await rotate(task.no, task.compaction);
          task.settle();
        } catch (err) {
          fail('rotate', err);
          task.settle(failure);
        }
        continue;
      }
      try {
        for (const chunk of task.frames.chunks()) await fs.write(fd, chunk);
      } catch (err) {
        fail('write', err);
        break;
      }
      segBytes += task.frames.bytes;
      bytesSinceSnapshot += task.frames.bytes;
      written = task.lastSeq;
      settle();
      if (needSync && (o.fsync === 'always' || waiters.length > 0)) requestSync();
      afterWrite();
    }
    writing = false;
    if (tasks.length > 0 && !failure) kick();
    else for (const f of idle.splice(0)) f();
  }

  function afterWrite(): void {
    if (segBytes >= o.maxSegmentBytes && !rotateQueued) {
      rotateQueued = true;
      void enqueueRotate(false).done.catch(() => undefined); // a failure is already logged by fail()
    }
    if (o.compactMinBytes > 0 && !compacting && state === 'open' && bytesSinceSnapshot >= Math.max(o.compactMinBytes, o.compactRatio * snapshotBytes)) {
      compact().catch((err: unknown) => log.warn({ err }, 'automatic journal compaction failed'));
    }
  }

  function requestSync(): void {
    if (syncing || rotating) {
      syncAgain = true;
      return;
    }
    if (synced >= written || failure || fd < 0) return;
    syncing = (async () => {
      do {
        syncAgain = false;
        const target = written;
        try {
          await fs.fdatasync(fd);
        } catch (err) {
          fail('fsync', err);
          return;
        }
        if (target > synced) synced = target;
        settle();
      } while (syncAgain && synced < written && !rotating && !failure);
    })().finally(() => {
      syncing = undefined;
      if (syncAgain && !rotating) requestSync();
    });
  }

  async function openSegment(no: number): Promise<void> {
    const f = await fs.open(join(dir, segmentName(no)), 'wx');
    fd = f;
    segNo = no;
    await fs.write(f, fileHeader('segment'));
    segBytes = FILE_HEADER_BYTES;
    if (needSync) await fs.syncDir(dir);
  }

  async function rotate(no: number, compaction: boolean): Promise<void> {
    rotating = true;
    try {
      if (syncing) await syncing;
      if (failure) throw failure;
      if (fd >= 0) {
        // Sync the old segment before any record lands in the new one: a power cut must not keep a
        // later segment while losing the end of an earlier one.
        if (needSync && synced < written) await fs.fdatasync(fd);
        synced = written;
        settle();
        await fs.close(fd);
        fd = -1;
      }
      await openSegment(no);
      if (!compaction) rotateQueued = false;
      else bytesSinceSnapshot = 0;
    } finally {
      rotating = false;
    }
    if (syncAgain) requestSync();
  }

  function enqueueRotate(compaction: boolean): RotateTask {
    let settleFn: (err?: LedgeError) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settleFn = (err) => (err ? reject(err) : resolve());
    });
    const task: RotateTask = { kind: 'rotate', no: ++lastNo, compaction, done, settle: settleFn };
    tasks.push(task);
    kick();
    return task;
  }

  async function runCompaction(h: JournalHandler): Promise<void> {
    const t0 = Date.now();
    const rot = enqueueRotate(true);
    // Captured in the same synchronous turn as the rotation point: every record appended before this
    // line lands in a segment < rot.no, every later one in a segment >= rot.no.
    const frames = new FrameBuilder(WRITE_BATCH_BYTES, 64 * 1024);
    let records = 0;
    for (const payload of h.snapshot()) {
      frames.add(payload);
      records++;
    }
    const bytes = FILE_HEADER_BYTES + frames.bytes;
    await writeSnapshotFile(fs, dir, rot.no, [fileHeader('snapshot'), ...frames.chunks()], log);
    await rot.done;
    snapshotBytes = bytes;
    compactions++;
    const deleted = await deleteSuperseded(fs, dir, rot.no, log);
    log.info({ snapshot: rot.no, records, bytes, deleted, ms: Date.now() - t0 }, 'journal compacted');
  }

  function compact(): Promise<void> {
    const err = usable();
    if (err) return Promise.reject(err);
    if (!compacting) {
      compacting = runCompaction(handler!).finally(() => {
        compacting = undefined;
      });
    }
    return compacting;
  }

  async function openDir(h: JournalHandler): Promise<ReplaySummary> {
    handler = h;
    const t0 = Date.now();
    try {
      const r = await recoverJournal(fs, dir, o.maxRecordBytes, (p) => h.replay(p), log);
      lastNo = r.lastNo;
      snapshotBytes = r.snapshotBytes;
      bytesSinceSnapshot = r.bytesSinceSnapshot;
      await openSegment(++lastNo);
      state = 'open';
      if (o.fsync === 'interval') {
        timer = setInterval(() => requestSync(), o.fsyncIntervalMs);
        timer.unref();
      }
      log.info({ dir, ...r.summary, segment: segNo, ms: Date.now() - t0 }, 'journal opened');
      afterWrite();
      return r.summary;
    } catch (err) {
      state = 'closed';
      if (fd >= 0) await fs.close(fd).catch((e: unknown) => log.warn({ err: e }, 'closing the journal segment failed'));
      fd = -1;
      throw isLedgeError(err) ? err : openFailedError(dir, err);
    }
  }

  const close = onlyOnce(async () => {
    if (state === 'new' || state === 'closed') {
      state = 'closed';
      return;
    }
    if (state === 'opening') await opening?.catch((err: unknown) => log.debug({ err }, 'open failed before close'));
    if (state !== 'open') return;
    state = 'closing';
    clearInterval(timer);
    if (compacting) await compacting.catch((err: unknown) => log.warn({ err }, 'journal compaction failed while closing'));
    if (writing || tasks.length > 0) await new Promise<void>((resolve) => idle.push(resolve));
    if (syncing) await syncing;
    try {
      if (!failure && fd >= 0 && needSync && synced < written) await fs.fdatasync(fd);
      if (!failure) synced = written;
    } catch (err) {
      fail('fsync', err);
    } finally {
      if (fd >= 0) await fs.close(fd).catch((err: unknown) => log.warn({ err }, 'closing the journal segment failed'));
      fd = -1;
      state = 'closed';
      settle();
    }
    if (failure) throw failure;
  });

  return {
    open(h: JournalHandler): Promise<ReplaySummary> {
      if (state !== 'new') {
        return Promise.reject(state === 'closed' || state === 'closing' ? closedError('journal') : invalidOptionsError('open() called twice'));
      }
      state = 'opening';
      opening = openDir(h);
      return opening;
    },

    append(payload: Uint8Array): void {
      const err = usable();
      if (err) throw err;
      if (payload.length === 0) throw unencodableError('empty record');
      if (payload.length > o.maxRecordBytes) throw recordTooLargeError(payload.length, o.maxRecordBytes);
      let last = tasks.at(-1);
      if (last === undefined || last.kind !== 'data' || last.frames.bytes >= WRITE_BATCH_BYTES) {
        last = { kind: 'data', frames: new FrameBuilder(WRITE_BATCH_BYTES), firstSeq: appended + 1, lastSeq: 0 };
        tasks.push(last);
      }
      last.frames.add(payload);
      last.lastSeq = ++appended;
      kick();
    },

    flush(): Promise<void> {
      const promise = waitUntil(waiters, needSync ? synced : written);
      if (needSync && written >= appended && synced < written) requestSync();
      return promise;
    },

    written(): Promise<void> {
      return waitUntil(writeWaiters, written);
    },

    compact,
    close,

    stats: () => ({
      segment: segNo,
      segmentBytes: segBytes,
      bytesSinceSnapshot,
      snapshotBytes,
      appended,
      written,
      synced,
      compactions,
      failed: failure !== undefined,
    }),
  };
}
