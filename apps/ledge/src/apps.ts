// Every app the `ledge` binary can host, in start order (the bus first).
import type { AppEntry, ConfigSpec } from '@ledge/util';
import { brokerEntry } from '@ledge/broker-feature';
import { connectorEntry } from '@ledge/connector-bridge';
import { containerManagementEntry } from '@ledge/container-management-feature';
import { fileUploadEntry } from '@ledge/file-upload-feature';
import { softwareUpdateEntry } from '@ledge/software-update-feature';

// Each entry is typed by its own config spec; the host only passes each its own config back.
const entry = <S extends ConfigSpec>(e: AppEntry<S>) => e as unknown as AppEntry<ConfigSpec>;

export const appEntries: readonly AppEntry<ConfigSpec>[] = [
  entry(brokerEntry),
  entry(connectorEntry),
  entry(containerManagementEntry),
  entry(softwareUpdateEntry),
  entry(fileUploadEntry),
];
