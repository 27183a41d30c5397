// Every app the `ledge` binary can host, in start order (the bus first). Each is loaded only when it is
// selected: an app's code that is not evaluated costs an idle process nothing, so `ledge run --apps
// broker,connector,file-upload` (ledge.service) does not pay for container management's gRPC stack or
// the update agent (~8 MB RSS measured, docs/performance.md).
import type { AppEntry, ConfigSpec } from '@ledge/shared/util';

export interface HostedApp {
  readonly name: string;
  load(): Promise<AppEntry<ConfigSpec>>;
}

// Each entry is typed by its own config spec; the host only passes each its own config back.
const hosted = <S extends ConfigSpec>(name: string, load: () => Promise<AppEntry<S>>): HostedApp => ({
  name,
  async load() {
    const e = await load();
    if (e.name !== name) throw new Error(`app ${name} loaded the entry of ${e.name}`);
    return e as unknown as AppEntry<ConfigSpec>;
  },
});

export const hostedApps: readonly HostedApp[] = [
  hosted('broker', async () => (await import('@ledge/broker/feature-broker')).brokerEntry),
  hosted('connector', async () => (await import('@ledge/connector/feature-bridge')).connectorEntry),
  hosted('container-management', async () => (await import('@ledge/container-management/feature-containers')).containerManagementEntry),
  hosted('software-update', async () => (await import('@ledge/software-update/feature-software-update')).softwareUpdateEntry),
  hosted('file-upload', async () => (await import('@ledge/file-upload/feature-file-upload')).fileUploadEntry),
  hosted('file-backup', async () => (await import('@ledge/file-upload/feature-file-upload')).fileBackupEntry),
  hosted('system-metrics', async () => (await import('@ledge/system-metrics/feature-metrics')).systemMetricsEntry),
  hosted('update-manager', async () => (await import('@ledge/update-manager/feature-update-manager')).updateManagerEntry),
];
