// The broker as an app: run alone (apps/broker, `ledge-broker`) or hosted with the others (`ledge run`).
import { join } from 'node:path';
import type { AppEntry } from '@ledge/shared/util';
import { brokerSpec, type BrokerSpec } from './config';
import { createBroker } from './create-broker';

export const brokerEntry: AppEntry<BrokerSpec> = {
  name: 'broker',
  summary: 'Ledge broker: the local MQTT 3.1.1 bus (Mosquitto-compatible $SYS log, ACLs, disk persistence)',
  spec: brokerSpec,
  create: (config, { logger }) => createBroker(config, { logger }),
  devDefaults: (devDir) => ({ dataDir: join(devDir, 'broker') }),
};
