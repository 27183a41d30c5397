// file-upload's config schema: Kanto file-upload's keys (§6.1, same names and meaning) plus Ledge's
// stateDir (persisted uploads for resume) and partSize. The README table is generated from it.
import { defineConfig, localBusSpec, MAX_TIMER_MS } from '@ledge/shared/util';
import { PART_SIZE_RANGE } from './part-size';
import { parseDuration, parseTime } from './time';

const duration = (v: unknown) => (typeof v === 'string' && parseDuration(v) !== undefined ? undefined : 'expected a duration like 30s, 10m, 10h');
/** A duration one timer waits for: at most MAX_TIMER_MS (a longer one would fire at once). */
const timerDuration = (v: unknown) => duration(v) ?? (parseDuration(v as string)! <= MAX_TIMER_MS ? undefined : 'expected a duration of at most 596h');
const partSize = (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= PART_SIZE_RANGE.min && v <= PART_SIZE_RANGE.max
    ? undefined
    : `expected a whole number of bytes from ${PART_SIZE_RANGE.min} (5 MiB, S3's smallest part) to ${PART_SIZE_RANGE.max} (4000 MiB, Azure's largest block)`;
const timeOrEmpty = (v: unknown) => (v === '' || (typeof v === 'string' && parseTime(v) !== undefined) ? undefined : 'expected an RFC 3339 time or empty');

export const fileUploadSpec = defineConfig({
  featureId: { type: 'string', default: 'AutoUploadable', describe: 'Ditto feature ID' },
  type: { type: 'string', default: 'file', describe: 'property `type` of the feature' },
  context: { type: 'string', default: 'edge', describe: 'property `context` of the feature' },
  files: { type: 'string', default: '/var/tmp/file-upload/*.*', describe: 'glob of the files to upload (*, ?, [..], ** for any depth)' },
  mode: { type: 'string', default: 'strict', describe: 'may `trigger` override `files` (option upload.files)? strict: only with the same glob; scoped: files must match `files`; lax: any path', choices: ['strict', 'scoped', 'lax'] },
  singleUpload: { type: 'boolean', default: false, describe: 'refuse a trigger while an upload runs (option force=true overrides)' },
  checksum: { type: 'boolean', default: false, describe: 'send the MD5 of each file (Content-MD5)' },
  stopTimeout: { type: 'string', default: '30s', describe: 'how long shutdown waits for running uploads', validate: timerDuration },
  delete: { type: 'boolean', default: false, describe: 'delete a file after its successful upload' },
  serverCert: { type: 'string', default: '', describe: 'PEM CA file trusted for HTTPS uploads by every provider (generic, aws, azure), in addition to the public CAs' },
  active: { type: 'boolean', default: false, describe: 'periodic uploads on from start' },
  activeFrom: { type: 'string', default: '', describe: 'RFC 3339 start of periodic uploads (implies active)', validate: timeOrEmpty },
  activeTill: { type: 'string', default: '', describe: 'RFC 3339 end of periodic uploads (implies active)', validate: timeOrEmpty },
  period: { type: 'string', default: '10h', describe: 'interval of periodic uploads', validate: duration },
  // The local bus: the shared setting; Kanto's names (broker, username, password, caCert, cert, key) are aliases.
  ...localBusSpec,
  stateDir: { type: 'string', default: '/var/lib/ledge/file-upload', describe: 'upload state kept across restarts (resume of interrupted multipart uploads)' },
  partSize: { type: 'number', default: 8 * 1024 * 1024, describe: 'bytes per S3 part / Azure block (5 MiB to 4000 MiB); larger files are uploaded in parts, raised for files that would need more than 10,000 S3 parts / 50,000 Azure blocks', validate: partSize },
});

export type FileUploadSpec = typeof fileUploadSpec;
