// The file-backup app: local bus client → Ditto agent (gateway thing) → the BackupAndRestore feature, an
// AutoUploadable offering the backup archives (storage/backups/*.zip) through the generic, aws and azure
// providers, extended with backup, restore and periodic backups (backup-restore.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDittoAgent, createLocalBusClient, localBusClientOptions, withHealth } from '@ledge/shared/data-access-mqtt';
import { createHttpDownloader } from '@ledge/file-upload/data-access-http-upload';
import { FeatureDefinitionLists } from '@ledge/shared/model-ditto';
import { fileBackupSpec, parseDuration, type FileBackupSpec, type UploadMode, type UploadProvider } from '@ledge/file-upload/model-file-upload';
import { ConfigError, kantoLocalBusAliases, onlyOnce, type App, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { createUploadProviders } from './app';
import { createAutoUploadable, uploadTiming } from './auto-uploadable';
import { createBackupAndRestore, type CommandRunner } from './backup-restore';

export type FileBackupConfig = ConfigOf<WithCommon<FileBackupSpec>>;

export interface FileBackupDeps {
  readonly logger: Logger;
  readonly providers?: Readonly<Record<string, UploadProvider>>;
  readonly runCommand?: CommandRunner;
}

function readCa(path: string): Buffer | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`config key 'serverCert': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key: 'serverCert', file: path });
  }
}

export function createFileBackupApp(config: FileBackupConfig, deps: FileBackupDeps): App {
  const logger = deps.logger;
  // Kanto: without a directory and without commands there is nothing to back up (unless mode lax lets every request name one).
  if (config.dir === '' && config.mode !== 'lax' && config.backupCmd === '' && config.restoreCmd === '') {
    throw new ConfigError("config keys 'dir', 'backupCmd', 'restoreCmd': none set; set dir (or mode lax to let each request name backup.dir)", { key: 'dir' });
  }
  const ca = readCa(config.serverCert);
  const bus = createLocalBusClient({ ...localBusClientOptions(config), clientId: `ledge-file-backup-${process.pid}`, logger, backoff: { initialMs: 1000, maxMs: 5000 } });
  const agent = createDittoAgent({ bus, logger, thingSuffix: '' });
  const own = createUploadProviders(ca);
  const downloader = createHttpDownloader({ ca });
  const feature = createBackupAndRestore(
    {
      featureId: config.featureId,
      dir: config.dir,
      mode: config.mode as UploadMode,
      storage: config.storage,
      backupCmd: config.backupCmd,
      restoreCmd: config.restoreCmd,
      commandTimeoutMs: parseDuration(config.commandTimeout)!,
      maxRestoreBytes: config.maxRestoreSize,
      maxRestoreEntries: config.maxRestoreEntries,
      downloadStallMs: parseDuration(config.downloadStallTimeout)!,
    },
    { agent, uploadable: () => uploadable, downloader, logger, ...(deps.runCommand ? { runCommand: deps.runCommand } : {}) },
  );
  // Made after the feature whose extension it carries; the feature only calls it once running.
  const uploadable = createAutoUploadable(
    {
      featureId: config.featureId,
      definitions: FeatureDefinitionLists.backupAndRestore,
      type: config.type,
      context: config.context,
      files: join(config.storage, 'backups', '*.zip'),
      mode: 'strict',
      singleUpload: false,
      checksum: config.checksum,
      delete: !config.keepUploaded,
      stateDir: join(config.storage, 'uploads'),
      partSize: config.partSize,
      ...uploadTiming(config),
    },
    { agent, providers: { ...own, ...deps.providers }, logger, extension: feature.extension },
  );
  return {
    async start() {
      await feature.start();
      await uploadable.start();
      await bus.start();
      await agent.start();
    },
    close: onlyOnce(async () => {
      await feature.close();
      await uploadable.close();
      await agent.close();
      await bus.close();
      await Promise.all([own.generic.close(), own.aws.close(), own.azure.close(), downloader.close()]);
    }),
  };
}

export const fileBackupEntry: AppEntry<FileBackupSpec> = withHealth({
  name: 'file-backup',
  summary: 'Ledge file-backup: the BackupAndRestore feature (Kanto-compatible): zip a directory and upload it over HTTP, to S3 or to Azure Blob; restore one atomically',
  spec: fileBackupSpec,
  aliases: kantoLocalBusAliases,
  create: (config, { logger }) => createFileBackupApp(config, { logger }),
  devDefaults: (devDir) => ({ storage: join(devDir, 'file-backup', 'storage'), dir: join(devDir, 'file-backup', 'data') }),
});
