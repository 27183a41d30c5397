// The software-update config schema: Kanto's keys (§5.1, same names and meaning) plus Ledge's (queue,
// limits, timeouts). The README table is generated from it (configTable('software-update', softwareUpdateSpec)).
import { defineConfig, localBusSpec } from '@ledge/shared/util';
import { durationProblem } from './duration';

export const softwareUpdateSpec = defineConfig({
  featureId: { type: 'string', default: 'SoftwareUpdatable', describe: 'ID of the SoftwareUpdatable feature on the gateway thing', validate: (v: unknown) => (typeof v === 'string' && /^[^/\s]+$/.test(v) ? undefined : 'must be a non-empty name without / or spaces') },
  moduleType: { type: 'string', default: 'software', describe: 'softwareModuleType reported in the feature status' },
  artifactType: { type: 'string', default: 'archive', describe: 'default artifact type: archive (one zip/tar.gz, extracted) or plain (files as they are); a module\'s metaData artifact-type overrides it', choices: ['archive', 'plain'] },
  install: { type: 'string[]', default: [] as string[], describe: 'install command and arguments run in the module directory; empty = /bin/sh install.sh; a *.sh first element runs via /bin/sh' },
  storageLocation: { type: 'string', default: '/var/lib/ledge/software-update', describe: 'directory for operations, downloads, kept modules and installed-deps' },
  installDirs: { type: 'string[]', default: [] as string[], describe: 'directories FILE artifacts may be taken from (empty = FILE links refused)' },
  mode: { type: 'string', default: 'strict', describe: 'FILE artifact confinement: strict (real path inside installDirs), scoped (lexically inside), lax (any absolute path)', choices: ['strict', 'scoped', 'lax'] },
  downloadRetryCount: { type: 'number', default: 5, describe: 'download attempts in a row without progress before giving up (Kanto default 0; a cut after progress does not count)', min: 0, max: 1000 },
  downloadRetryInterval: { type: 'string', default: '5s', describe: 'first retry delay; doubles up to 60 s with ±25 % jitter', validate: durationProblem },
  downloadStallTimeout: { type: 'string', default: '60s', describe: 'a download that receives nothing this long is cut and retried', validate: durationProblem },
  maxArtifactSize: { type: 'number', default: 4 * 1024 ** 3, describe: 'largest artifact in bytes (declared size, Content-Length and received bytes are checked)', min: 1 },
  minFreeSpace: { type: 'number', default: 64 * 1024 ** 2, describe: 'bytes that must stay free on the storage file system after a download', min: 0 },
  serverCert: { type: 'string', default: '', describe: 'PEM CA bundle trusted for HTTPS artifact servers (replaces the public CAs); empty = Node\'s built-in public CAs' },
  installTimeout: { type: 'string', default: '30m', describe: 'an install script running longer is killed (SIGTERM, then SIGKILL after 10 s) and the module fails', validate: durationProblem },
  queueSize: { type: 'number', default: 10, describe: 'operations waiting at most (Kanto: 10); more are refused with 500', min: 1, max: 1000 },
  // The local bus: the shared setting; Kanto's names (broker, username, password, caCert, cert, key) are aliases.
  ...localBusSpec,
});

export type SoftwareUpdateSpec = typeof softwareUpdateSpec;
