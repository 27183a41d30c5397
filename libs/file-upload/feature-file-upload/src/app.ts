// The file-upload app: local bus client → Ditto agent (gateway thing) → AutoUploadable with the
// generic (HTTP), aws (S3) and azure (Blob) providers, and the Logs feature (the Ledge apps' journal
// through the same providers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJournalctlReader, createLogFileReader } from '@ledge/shared/data-access-journal';
import { createDittoAgent, createLocalBusClient, localBusClientOptions, withHealth } from '@ledge/shared/data-access-mqtt';
import { LEDGE_APPS } from '@ledge/shared/model-edge';
import { createAzureBlobUploadProvider } from '@ledge/file-upload/data-access-azure-blob';
import { createHttpUploadProvider } from '@ledge/file-upload/data-access-http-upload';
import { createS3UploadProvider } from '@ledge/file-upload/data-access-s3';
import { fileUploadSpec, type FileUploadSpec, type UploadMode, type UploadProvider } from '@ledge/file-upload/model-file-upload';
import { ConfigError, kantoLocalBusAliases, onlyOnce, type App, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { createAutoUploadable, uploadTiming } from './auto-uploadable';
import { createContainerLogsAsker } from './container-logs-asker';
import { createLogsFeature } from './logs-feature';

export type FileUploadConfig = ConfigOf<WithCommon<FileUploadSpec>>;

export interface FileUploadDeps {
  readonly logger: Logger;
  /** Extra or replacement providers (tests). */
  readonly providers?: Readonly<Record<string, UploadProvider>>;
}

function file(key: string, path: string): Buffer | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`config key '${key}': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key, file: path });
  }
}

/** The three providers of §6.2; `serverCert` is trusted (besides the public CAs) by each of them. */
export function createUploadProviders(serverCa: Buffer | undefined) {
  return { generic: createHttpUploadProvider({ ca: serverCa }), aws: createS3UploadProvider({ ca: serverCa }), azure: createAzureBlobUploadProvider({ ca: serverCa }) };
}

export function createFileUploadApp(config: FileUploadConfig, deps: FileUploadDeps): App {
  const logger = deps.logger;
  if (!config.files.startsWith('/')) throw new ConfigError("config key 'files': must be an absolute glob", { key: 'files' });
  const serverCa = file('serverCert', config.serverCert);
  const bus = createLocalBusClient({
    ...localBusClientOptions(config),
    clientId: `ledge-file-upload-${process.pid}`,
    logger,
    backoff: { initialMs: 1000, maxMs: 5000 },
  });
  const agent = createDittoAgent({ bus, logger, thingSuffix: '' });
  const own = createUploadProviders(serverCa);
  const providers: Record<string, UploadProvider> = { ...own, ...deps.providers };
  const feature = createAutoUploadable(
    {
      featureId: config.featureId,
      type: config.type,
      context: config.context,
      files: config.files,
      mode: config.mode as UploadMode,
      singleUpload: config.singleUpload,
      checksum: config.checksum,
      delete: config.delete,
      stateDir: config.stateDir,
      partSize: config.partSize,
      ...uploadTiming(config),
    },
    { agent, providers, logger },
  );
  const logs = createLogsFeature({
    agent,
    providers,
    journal: config.logDir !== '' ? createLogFileReader(config.logDir) : createJournalctlReader(),
    containerLogs: createContainerLogsAsker({ bus, logger }),
    apps: LEDGE_APPS,
    logger,
  });
  return {
    async start() {
      await feature.start();
      await logs.start();
      await bus.start();
      await agent.start();
    },
    close: onlyOnce(async () => {
      await logs.close();
      await feature.close();
      await agent.close();
      await bus.close();
      await Promise.all([own.generic.close(), own.aws.close(), own.azure.close()]);
    }),
  };
}

export const fileUploadEntry: AppEntry<FileUploadSpec> = withHealth({
  name: 'file-upload',
  summary: 'Ledge file-upload: the AutoUploadable feature (Kanto-compatible) uploading local files over HTTP, to S3 or to Azure Blob',
  spec: fileUploadSpec,
  aliases: kantoLocalBusAliases,
  create: (config, { logger }) => createFileUploadApp(config, { logger }),
  devDefaults: (devDir) => ({ stateDir: join(devDir, 'file-upload'), files: join(devDir, 'file-upload', 'files', '*.*') }),
});
