// Kanto's file-backup contract (the BackupAndRestore feature, built on AutoUploadable): the `backup` and
// `restore` inbox operations, the `lastOperation` property and its states, and where a backup may come
// from or go to (`backup.dir` under mode strict/scoped/lax). Pure: the feature does the file work.
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path/posix';
import { FailedPreconditionError, InvalidArgumentError, type LedgeError } from '@ledge/shared/util';
import { parameterInvalidError } from './errors';
import { uploadOptionsOf, type UploadOptions } from './operations';
import { toRfc3339 } from './time';
import type { UploadMode } from './glob';

export const BackupStates = Object.freeze({
  BACKUP_STARTED: 'BACKUP_STARTED',
  BACKUP_FINISHED: 'BACKUP_FINISHED',
  BACKUP_FAILED: 'BACKUP_FAILED',
  RESTORE_STARTED: 'RESTORE_STARTED',
  RESTORE_FINISHED: 'RESTORE_FINISHED',
  RESTORE_FAILED: 'RESTORE_FAILED',
} as const);
export type BackupState = (typeof BackupStates)[keyof typeof BackupStates];

/** Option naming the directory to back up or restore into (else the configured `dir`). */
export const BACKUP_DIR_OPTION = 'backup.dir';
export const BackupOperations = Object.freeze(['backup', 'restore'] as const);

export const BackupErrorCodes = Object.freeze({
  /** `backup.dir` is missing (no `dir` configured), does not exist, or is outside what `mode` permits; answered with 400. */
  DIR_REFUSED: 'LEDGE_FB_DIR_REFUSED',
  /** A backup or restore is running; a second one is answered with 409 until it ends. */
  OPERATION_IN_PROGRESS: 'LEDGE_FB_OPERATION_IN_PROGRESS',
  /** A restore archive is not a zip Ledge accepts: malformed, an entry outside the target (absolute, `..`), a link, or over the size or entry limits. Nothing was changed. */
  ARCHIVE_REFUSED: 'LEDGE_FB_ARCHIVE_REFUSED',
  /** The configured backup or restore command failed (exit code, signal or timeout); the message has its last output. */
  COMMAND_FAILED: 'LEDGE_FB_COMMAND_FAILED',
} as const);

export function backupDirRefusedError(dir: string, why: string): LedgeError {
  return new InvalidArgumentError(BackupErrorCodes.DIR_REFUSED, `backup directory '${dir}' refused: ${why}`, { details: { dir } });
}
export function operationInProgressError(state: BackupState): LedgeError {
  const what = state.startsWith('BACKUP') ? 'Backup' : 'Restore';
  return new FailedPreconditionError(BackupErrorCodes.OPERATION_IN_PROGRESS, `${what} operation is currently in progress!`, { details: { state } });
}
export function archiveRefusedError(why: string): LedgeError {
  return new InvalidArgumentError(BackupErrorCodes.ARCHIVE_REFUSED, `backup archive refused: ${why}`);
}
export function commandFailedError(which: 'backupCmd' | 'restoreCmd', why: string): LedgeError {
  return new FailedPreconditionError(BackupErrorCodes.COMMAND_FAILED, `${which} failed: ${why}`, { details: { which } });
}

export interface BackupRequest {
  readonly correlationId: string | undefined;
  readonly options: UploadOptions;
}

function valueObject(op: string, v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw parameterInvalidError(`${op}: the value must be a JSON object`);
  return v as Record<string, unknown>;
}

function correlationOf(op: string, o: Record<string, unknown>): string | undefined {
  const c = o['correlationId'];
  if (c === undefined || c === null || c === '') return undefined;
  if (typeof c !== 'string' || c.length > 256) throw parameterInvalidError(`${op}: 'correlationId' must be a string of at most 256 characters`);
  return c;
}

/** `backup` {correlationId?, options?}. */
export function parseBackup(value: unknown): BackupRequest {
  const o = valueObject('backup', value);
  return { correlationId: correlationOf('backup', o), options: uploadOptionsOf('backup', o) };
}

/** `restore` {correlationId?, options{"https.url", "https.header.*"?, "backup.dir"?}}: the URL must be http(s). */
export function parseRestore(value: unknown): BackupRequest {
  const o = valueObject('restore', value);
  const options = uploadOptionsOf('restore', o);
  const url = options['https.url'];
  if (!url) throw parameterInvalidError('Download URL not specified! (restore needs option https.url)');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw parameterInvalidError("restore: option 'https.url' is not a URL");
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw parameterInvalidError("restore: option 'https.url' must be http:// or https://");
  return { correlationId: correlationOf('restore', o), options };
}

/**
 * Which directory an operation works on: `backup.dir` if given, else the configured `dir`. Lexical check
 * of Kanto's modes (strict: only `dir`; scoped: `dir` or below; lax: any absolute path); the feature
 * checks the real path again. `..` and relative paths are refused in every mode.
 */
export function backupDirFor(mode: UploadMode, configured: string, requested: string | undefined): string {
  const dir = requested === undefined || requested === '' ? configured : requested;
  if (dir === '') throw backupDirRefusedError('', "no 'backup.dir' given and no 'dir' configured");
  if (!isAbsolute(dir)) throw backupDirRefusedError(dir, 'must be an absolute path');
  if (dir.split('/').includes('..')) throw backupDirRefusedError(dir, "'..' is not allowed");
  const d = resolve(normalize(dir));
  if (d === '/') throw backupDirRefusedError(dir, 'the root directory cannot be backed up or replaced');
  if (requested === undefined || requested === '' || mode === 'lax') return d;
  const base = configured === '' ? '' : resolve(normalize(configured));
  if (mode === 'strict' && d !== base) throw backupDirRefusedError(dir, `mode strict allows only the configured dir '${configured}'`);
  if (mode === 'scoped' && (base === '' || !isWithin(base, d))) throw backupDirRefusedError(dir, `mode scoped allows only '${configured}' and below`);
  return d;
}

/** `child` is `parent` or below it (both absolute, normalised). */
export function isWithin(parent: string, child: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

export interface LastOperation {
  readonly correlationId: string;
  readonly state: BackupState;
  readonly startTime: string;
  readonly endTime: string | null;
  readonly statusCode: string;
  readonly message: string;
  readonly progress: number;
}

/** The `lastOperation` property (Kanto's upload status shape with a backup/restore state). */
export function lastOperation(init: { correlationId: string; state: BackupState; startMs: number; endMs?: number; message?: string; statusCode?: string }): LastOperation {
  const done = init.state === BackupStates.BACKUP_FINISHED || init.state === BackupStates.RESTORE_FINISHED;
  return {
    correlationId: init.correlationId,
    state: init.state,
    startTime: toRfc3339(init.startMs),
    endTime: init.endMs === undefined ? null : toRfc3339(init.endMs),
    statusCode: init.statusCode ?? '',
    message: init.message ?? '',
    progress: done ? 100 : 0,
  };
}

/** `backup-2026-12-07-08.30.00.000.zip` (Kanto's name), `_01`… when taken. */
export function backupFileName(ms: number, attempt = 0): string {
  const t = new Date(ms).toISOString().replace('T', '-').replace(/:/g, '.').replace('Z', '');
  return `backup-${t}${attempt > 0 ? `_${String(attempt).padStart(2, '0')}` : ''}.zip`;
}
