// The BackupAndRestore feature (Kanto's file-backup, built on AutoUploadable): `backup` zips a directory
// (or what the configured backup command leaves in an empty temporary directory) and offers the archive
// for upload through AutoUploadable's request/start flow; `restore` downloads an archive and puts its
// content in place. One operation at a time (409 otherwise), reported in `lastOperation`.
// Beyond Kanto: a restore unpacks beside the target and swaps it in by rename, the old content coming
// back on any failure; the swap is journalled (storage/restore.json), so a restore cut by a crash or a
// power cut is rolled back, or finished, at the next start. Archives are checked entry by entry
// (zip-archive.ts). Steps and collaborators are injected (agent, uploadable, downloader, command runner).
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DittoAgent, DittoCommand } from '@ledge/shared/data-access-mqtt';
import { headersFrom, type HttpDownloader } from '@ledge/file-upload/data-access-http-upload';
import {
  BACKUP_DIR_OPTION,
  BackupStates,
  backupDirFor,
  backupDirRefusedError,
  backupFileName,
  commandFailedError,
  isWithin,
  lastOperation,
  operationInProgressError,
  parseBackup,
  parseRestore,
  type BackupState,
  type LastOperation,
  type UploadMode,
} from '@ledge/file-upload/model-file-upload';
import { onlyOnce, syncDirectory, writeFileDurably, type Logger } from '@ledge/shared/util';
import type { AutoUploadable, UploadableExtension } from './auto-uploadable';
import { unzipInto, zipDirectory } from './zip-archive';

export interface BackupSettings {
  readonly featureId: string;
  readonly dir: string;
  readonly mode: UploadMode;
  readonly storage: string;
  readonly backupCmd: string;
  readonly restoreCmd: string;
  readonly commandTimeoutMs: number;
  readonly maxRestoreBytes: number;
  readonly maxRestoreEntries: number;
  readonly downloadStallMs: number;
}

/** Runs `command` (a *.sh through /bin/sh) in `cwd`; rejects with COMMAND_FAILED. */
export type CommandRunner = (which: 'backupCmd' | 'restoreCmd', command: string, cwd: string, timeoutMs: number, signal: AbortSignal) => Promise<void>;

export interface BackupDeps {
  readonly agent: Pick<DittoAgent, 'modify'>;
  /** The AutoUploadable the archives are offered through (made after this feature: its extension is ours). */
  readonly uploadable: () => Pick<AutoUploadable, 'offer'>;
  readonly downloader: Pick<HttpDownloader, 'download'>;
  readonly runCommand?: CommandRunner;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface BackupAndRestore {
  /** What AutoUploadable adds for this feature: backup/restore, periodic backups, `lastOperation`. */
  readonly extension: UploadableExtension;
  start(): Promise<void>;
  /** Settles when no operation runs. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The journal of a restore's swap: which step was reached, so a restart rolls back or finishes. */
interface RestoreJournal {
  readonly phase: 'unpack' | 'swap' | 'cleanup';
  readonly correlationId: string;
  readonly startMs: number;
  readonly target: string;
  readonly staging: string;
  readonly old: string;
}

const exists = (p: string) => access(p).then(() => true, () => false);

export const runCommandFile: CommandRunner = (which, command, cwd, timeoutMs, signal) =>
  new Promise((resolve, reject) => {
    const [file, args] = command.endsWith('.sh') ? ['/bin/sh', [command]] : [command, []];
    const child = execFile(file, args, { cwd, timeout: timeoutMs, killSignal: 'SIGTERM', signal, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const tail = `${stderr}${stdout}`.trim().slice(-400);
      const how = err.killed ? `killed (${err.signal ?? 'timeout'})` : `exit code ${String(err.code)}`;
      reject(commandFailedError(which, `${command} ${how}${tail ? `: ${tail}` : ''}`));
    });
    // SIGTERM on timeout; a command that ignores it is killed 10 s later
    child.once('exit', () => clearTimeout(hard));
    const hard = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    hard.unref();
  });

export function createBackupAndRestore(settings: BackupSettings, deps: BackupDeps): BackupAndRestore {
  const log = deps.logger.child({ component: 'backup-restore', featureId: settings.featureId });
  const now = deps.now ?? Date.now;
  const run = deps.runCommand ?? runCommandFile;
  const base = `/features/${settings.featureId}`;
  const backupsDir = join(settings.storage, 'backups');
  const downloadsDir = join(settings.storage, 'downloads');
  const tmpDir = join(settings.storage, 'tmp');
  const journalFile = join(settings.storage, 'restore.json');
  const ac = new AbortController();
  let last: LastOperation | undefined;
  let running: { state: BackupState; done: Promise<void> } | undefined;
  let counter = 0;
  let chain = Promise.resolve();

  const publish = (op: LastOperation) => {
    last = op;
    chain = chain.then(() => deps.agent.modify(`${base}/properties/lastOperation`, op)).catch((err: unknown) => log.warn({ err }, 'lastOperation not published'));
    return chain;
  };

  /** The directory an operation works on, checked on its real path too (a symlink must not lead out). */
  async function directory(requested: string | undefined, mustExist: boolean): Promise<string> {
    const dir = backupDirFor(settings.mode, settings.dir, requested);
    if (!(await exists(dir))) {
      if (mustExist) throw backupDirRefusedError(dir, 'not found');
      return dir;
    }
    if (!(await stat(dir)).isDirectory()) throw backupDirRefusedError(dir, 'not a directory');
    if (settings.mode !== 'lax' && requested) {
      const real = await realpath(dir);
      const allowed = await realpath(settings.dir).catch(() => settings.dir);
      if (settings.mode === 'strict' ? real !== allowed : !isWithin(allowed, real)) throw backupDirRefusedError(dir, `its real path '${real}' is outside '${settings.dir}'`);
    }
    return dir;
  }

  async function freeName(dirPath: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const p = join(dirPath, backupFileName(now(), i));
      if (!(await exists(p))) return p;
    }
    throw backupDirRefusedError(dirPath, 'no free archive name');
  }

  /** Claims the one operation slot (409 while taken) and reports its start. */
  function begin(state: BackupState, correlationId: string, work: (startMs: number) => Promise<{ ok: BackupState; fail: BackupState }>): void {
    if (running) throw operationInProgressError(running.state);
    const startMs = now();
    void publish(lastOperation({ correlationId, state, startMs }));
    const done = (async () => {
      let outcome: { ok: BackupState; fail: BackupState } | undefined;
      try {
        outcome = await work(startMs);
        await publish(lastOperation({ correlationId, state: outcome.ok, startMs, endMs: now() }));
      } catch (err) {
        const fail = state === BackupStates.BACKUP_STARTED ? BackupStates.BACKUP_FAILED : BackupStates.RESTORE_FAILED;
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ err, correlationId }, `${state === BackupStates.BACKUP_STARTED ? 'backup' : 'restore'} failed`);
        await publish(lastOperation({ correlationId, state: fail, startMs, endMs: now(), message, statusCode: (err as { code?: string }).code ?? '' }));
      }
    })().finally(() => (running = undefined));
    running = { state, done };
  }

  async function backup(correlationId: string, options: Readonly<Record<string, string>>, dir: string | undefined): Promise<void> {
    begin(BackupStates.BACKUP_STARTED, correlationId, async () => {
      await mkdir(backupsDir, { recursive: true, mode: 0o700 });
      let source = dir;
      let temp: string | undefined;
      try {
        if (settings.backupCmd !== '' && options[BACKUP_DIR_OPTION] === undefined) {
          await mkdir(tmpDir, { recursive: true, mode: 0o700 });
          temp = await mkdtemp(join(tmpDir, 'backup-'));
          await run('backupCmd', settings.backupCmd, temp, settings.commandTimeoutMs, ac.signal);
          source = temp;
        }
        const out = await freeName(backupsDir);
        const r = await zipDirectory(source!, out);
        if (r.skipped.length > 0) log.warn({ skipped: r.skipped.slice(0, 20), count: r.skipped.length }, 'links and special files are not backed up');
        log.info({ correlationId, dir: source, archive: out, files: r.files, bytes: r.bytes }, 'backup made');
        // Offered once BACKUP_FINISHED is out, as Kanto does: the upload request follows the finished backup.
        void chain.then(() => deps.uploadable().offer(correlationId, [out], options)).catch((err: unknown) => log.warn({ err }, 'backup not offered for upload'));
      } finally {
        if (temp) await rm(temp, { recursive: true, force: true });
      }
      return { ok: BackupStates.BACKUP_FINISHED, fail: BackupStates.BACKUP_FAILED };
    });
  }

  /** Unpacks beside `target` and swaps it in; the journal lets a restart roll back or finish. */
  async function replace(target: string, archive: string, correlationId: string, startMs: number): Promise<void> {
    const parent = dirname(target);
    const name = basename(target);
    const j: RestoreJournal = { phase: 'unpack', correlationId, startMs, target, staging: join(parent, `.${name}.ledge-restore`), old: join(parent, `.${name}.ledge-old`) };
    await mkdir(parent, { recursive: true });
    await rm(j.staging, { recursive: true, force: true });
    await rm(j.old, { recursive: true, force: true });
    await writeFileDurably(journalFile, JSON.stringify(j));
    try {
      await mkdir(j.staging, { mode: 0o755 });
      await unzipInto(archive, j.staging, { maxBytes: settings.maxRestoreBytes, maxEntries: settings.maxRestoreEntries });
      await syncDirectory(j.staging);
    } catch (err) {
      await rm(j.staging, { recursive: true, force: true });
      await rm(journalFile, { force: true });
      throw err;
    }
    await writeFileDurably(journalFile, JSON.stringify({ ...j, phase: 'swap' }));
    const had = await exists(target);
    if (had) await rename(target, j.old);
    try {
      await rename(j.staging, target);
    } catch (err) {
      if (had) await rename(j.old, target);
      await rm(j.staging, { recursive: true, force: true });
      await rm(journalFile, { force: true });
      throw err;
    }
    await syncDirectory(parent);
    await writeFileDurably(journalFile, JSON.stringify({ ...j, phase: 'cleanup' }));
    await rm(j.old, { recursive: true, force: true });
    await rm(journalFile, { force: true });
  }

  async function restore(correlationId: string, options: Readonly<Record<string, string>>, target: string): Promise<void> {
    begin(BackupStates.RESTORE_STARTED, correlationId, async (startMs) => {
      await mkdir(downloadsDir, { recursive: true, mode: 0o700 });
      const archive = await freeName(downloadsDir);
      try {
        const got = await deps.downloader.download({ url: options['https.url']!, headers: headersFrom(options), dest: archive, maxBytes: settings.maxRestoreBytes, stallMs: settings.downloadStallMs, signal: ac.signal });
        log.info({ correlationId, bytes: got.bytes }, 'backup archive downloaded');
        if (settings.restoreCmd !== '') {
          await mkdir(tmpDir, { recursive: true, mode: 0o700 });
          const temp = await mkdtemp(join(tmpDir, 'restore-'));
          try {
            await unzipInto(archive, temp, { maxBytes: settings.maxRestoreBytes, maxEntries: settings.maxRestoreEntries });
            await run('restoreCmd', settings.restoreCmd, temp, settings.commandTimeoutMs, ac.signal);
          } finally {
            await rm(temp, { recursive: true, force: true });
          }
        } else await replace(target, archive, correlationId, startMs);
        log.info({ correlationId, target: settings.restoreCmd !== '' ? settings.restoreCmd : target }, 'restored');
      } finally {
        await rm(archive, { force: true });
      }
      return { ok: BackupStates.RESTORE_FINISHED, fail: BackupStates.RESTORE_FAILED };
    });
  }

  /** A restore the last run did not finish: undo it, or finish the last step. */
  async function recover(): Promise<void> {
    let j: RestoreJournal;
    try {
      j = JSON.parse(await readFile(journalFile, 'utf8')) as RestoreJournal;
      if (typeof j.target !== 'string' || typeof j.staging !== 'string' || typeof j.old !== 'string') throw new Error('malformed');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, file: journalFile }, 'restore journal unreadable; left as it is');
      return;
    }
    let outcome: { state: BackupState; message: string };
    if (j.phase === 'unpack' || (j.phase === 'swap' && (await exists(j.staging)))) {
      if (!(await exists(j.target)) && (await exists(j.old))) await rename(j.old, j.target);
      await rm(j.staging, { recursive: true, force: true });
      outcome = { state: BackupStates.RESTORE_FAILED, message: 'interrupted by a restart; the previous content was kept' };
    } else {
      await rm(j.old, { recursive: true, force: true });
      outcome = { state: BackupStates.RESTORE_FINISHED, message: 'finished after a restart' };
    }
    await rm(journalFile, { force: true });
    last = lastOperation({ correlationId: j.correlationId, state: outcome.state, startMs: j.startMs, endMs: now(), message: outcome.message });
    log.warn({ correlationId: j.correlationId, target: j.target, ...outcome }, 'interrupted restore recovered');
  }

  const handleBackup = async (cmd: DittoCommand): Promise<void> => {
    const req = parseBackup(cmd.value);
    if (running) throw operationInProgressError(running.state);
    const viaCommand = settings.backupCmd !== '' && req.options[BACKUP_DIR_OPTION] === undefined;
    const dir = viaCommand ? undefined : await directory(req.options[BACKUP_DIR_OPTION], true);
    await backup(req.correlationId ?? cmd.correlationId ?? `backup_restore-id-${++counter}`, req.options, dir);
  };

  const handleRestore = async (cmd: DittoCommand): Promise<void> => {
    const req = parseRestore(cmd.value);
    if (running) throw operationInProgressError(running.state);
    const target = settings.restoreCmd !== '' && req.options[BACKUP_DIR_OPTION] === undefined ? '' : await directory(req.options[BACKUP_DIR_OPTION], false);
    await restore(req.correlationId ?? cmd.correlationId ?? `backup_restore-id-${++counter}`, req.options, target);
  };

  return {
    extension: {
      operations: { backup: handleBackup, restore: handleRestore },
      onTick: async () => {
        if (running) {
          log.info({ state: running.state }, 'periodic backup skipped: an operation is running');
          return;
        }
        const dir = settings.backupCmd !== '' ? undefined : await directory(undefined, true);
        await backup(`backup_restore-id-${++counter}`, {}, dir);
      },
      properties: () => (last ? { lastOperation: last } : {}),
    },
    async start() {
      await mkdir(settings.storage, { recursive: true, mode: 0o700 });
      await rm(tmpDir, { recursive: true, force: true }); // leftovers of commands a crash interrupted
      await recover();
    },
    idle: async () => {
      await running?.done;
      await chain;
    },
    close: onlyOnce(async () => {
      ac.abort();
      await running?.done;
      await chain;
    }),
  };
}
