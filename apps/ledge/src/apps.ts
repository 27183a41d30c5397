// Every app the `ledge` binary can host, in start order (the bus first).
import type { AppEntry, ConfigSpec } from '@ledge/util';
import { brokerEntry } from '@ledge/broker-feature';

export const appEntries: readonly AppEntry<ConfigSpec>[] = [brokerEntry as unknown as AppEntry<ConfigSpec>];
