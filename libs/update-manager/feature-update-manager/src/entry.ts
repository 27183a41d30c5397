// The update-manager app as an AppEntry: run alone (apps/update-manager, ledge-update-manager.service) or
// hosted by `ledge run`. Its health (`edge/health/update-manager`) carries the last finished activity.
import { withHealth } from '@ledge/shared/data-access-mqtt';
import { updateManagerSpec, type UpdateManagerSpec } from '@ledge/update-manager/model-update-manager';
import { kantoLocalBusAliases, type AppEntry } from '@ledge/shared/util';
import { createUpdateManager } from './update-manager';

export const updateManagerEntry: AppEntry<UpdateManagerSpec> = withHealth({
  name: 'update-manager',
  summary: 'Ledge update manager: applies a desired state across the update agents (Eclipse Kanto update-manager compatible: local API and the UpdateManager feature)',
  spec: updateManagerSpec,
  aliases: kantoLocalBusAliases,
  // A developer's machine is not rebooted by a test update (`ledge run --dev`, npm start).
  devDefaults: () => ({ rebootEnabled: false }),
  create: (config, { logger, health }) => createUpdateManager(config, { logger, health }),
});
