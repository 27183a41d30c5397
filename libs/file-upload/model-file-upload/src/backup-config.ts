// file-backup's config schema: Kanto file-backup's keys (same names and meaning: dir, storage, backupCmd,
// restoreCmd, keepUploaded, mode, and AutoUploadable's) plus Ledge's limits for what a restore may bring.
// The README table is generated from it.
import { defineConfig, localBusSpec, MAX_TIMER_MS } from '@ledge/shared/util';
import { PART_SIZE_RANGE } from './part-size';
import { parseDuration, parseTime } from './time';

const duration = (v: unknown) => (typeof v === 'string' && parseDuration(v) !== undefined ? undefined : 'expected a duration like 30s, 10m, 10h');
const timerDuration = (v: unknown) => duration(v) ?? (parseDuration(v as string)! <= MAX_TIMER_MS ? undefined : 'expected a duration of at most 596h');
const timeOrEmpty = (v: unknown) => (v === '' || (typeof v === 'string' && parseTime(v) !== undefined) ? undefined : 'expected an RFC 3339 time or empty');
const absoluteOrEmpty = (v: unknown) => (v === '' || (typeof v === 'string' && v.startsWith('/') && !v.split('/').includes('..')) ? undefined : 'expected an absolute path without ..');
const absolute = (v: unknown) => (typeof v === 'string' && v.startsWith('/') && !v.split('/').includes('..') ? undefined : 'expected an absolute path without ..');
const partSize = (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= PART_SIZE_RANGE.min && v <= PART_SIZE_RANGE.max ? undefined : `expected a whole number of bytes from ${PART_SIZE_RANGE.min} to ${PART_SIZE_RANGE.max}`;

export const fileBackupSpec = defineConfig({
  featureId: { type: 'string', default: 'BackupAndRestore', describe: 'Ditto feature ID' },
  type: { type: 'string', default: 'backup', describe: 'property `type` of the feature' },
  context: { type: 'string', default: 'edge', describe: 'property `context` of the feature' },
  dir: { type: 'string', default: '/var/lib/ledge/file-backup/data', describe: 'directory backed up and restored (an operation\'s option backup.dir may name another, as `mode` permits); Kanto\'s packaged default is /var/tmp/file-backup', validate: absoluteOrEmpty },
  mode: { type: 'string', default: 'strict', describe: 'may backup.dir name another directory? strict: only `dir`; scoped: `dir` and below; lax: any', choices: ['strict', 'scoped', 'lax'] },
  storage: { type: 'string', default: '/var/lib/ledge/file-backup/storage', describe: 'where backup archives wait for upload and restore archives are downloaded (a restore unpacks beside its directory, then swaps it in by rename)', validate: absolute },
  backupCmd: { type: 'string', default: '', describe: 'executable (a *.sh runs with /bin/sh) run in an empty temporary directory before a backup; that directory, not `dir`, is zipped', validate: absoluteOrEmpty },
  restoreCmd: { type: 'string', default: '', describe: 'executable (a *.sh runs with /bin/sh) run in the temporary directory the backup was unpacked into; then `dir` is left alone', validate: absoluteOrEmpty },
  commandTimeout: { type: 'string', default: '30m', describe: 'backupCmd/restoreCmd running longer are killed (SIGTERM, SIGKILL after 10 s) and the operation fails', validate: timerDuration },
  keepUploaded: { type: 'boolean', default: false, describe: 'keep a backup archive after its successful upload' },
  maxRestoreSize: { type: 'number', default: 1024 ** 3, describe: 'largest restore download and largest unpacked size, bytes', min: 1 },
  maxRestoreEntries: { type: 'number', default: 100_000, describe: 'most files and directories a restore archive may hold', min: 1 },
  downloadStallTimeout: { type: 'string', default: '60s', describe: 'a restore download that receives nothing this long fails', validate: timerDuration },
  serverCert: { type: 'string', default: '', describe: 'PEM CA file trusted for HTTPS uploads and restore downloads, in addition to the public CAs' },
  checksum: { type: 'boolean', default: false, describe: 'send the MD5 of each upload (Content-MD5)' },
  stopTimeout: { type: 'string', default: '30s', describe: 'how long shutdown waits for running uploads', validate: timerDuration },
  active: { type: 'boolean', default: false, describe: 'periodic backups (each then uploaded) on from start' },
  activeFrom: { type: 'string', default: '', describe: 'RFC 3339 start of periodic backups (implies active)', validate: timeOrEmpty },
  activeTill: { type: 'string', default: '', describe: 'RFC 3339 end of periodic backups (implies active)', validate: timeOrEmpty },
  period: { type: 'string', default: '10h', describe: 'interval of periodic backups', validate: duration },
  partSize: { type: 'number', default: 8 * 1024 * 1024, describe: 'bytes per S3 part / Azure block of an upload', validate: partSize },
  ...localBusSpec,
});

export type FileBackupSpec = typeof fileBackupSpec;
