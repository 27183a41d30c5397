// Feature IDs and definitions exactly as registered by Kanto (§3.2); tests and cloud UIs compare them.

export const FeatureIds = Object.freeze({
  containerFactory: 'ContainerFactory',
  softwareUpdatable: 'SoftwareUpdatable',
  metrics: 'Metrics',
  autoUploadable: 'AutoUploadable',
  backupAndRestore: 'BackupAndRestore',
  updateManager: 'UpdateManager',
  connectionStatus: 'ConnectionStatus',
} as const);

/** Prefix of per-container features `Container:<containerId>` (§3.4). */
export const CONTAINER_FEATURE_PREFIX = 'Container:';

export const FeatureDefinitions = Object.freeze({
  containerFactory: 'com.bosch.iot.suite.edge.containers:ContainerFactory:1.3.0',
  container: 'com.bosch.iot.suite.edge.containers:Container:1.5.0',
  softwareUpdatable: 'org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0',
  metrics: 'com.bosch.iot.suite.edge.metric:Metrics:1.0.0',
  autoUploadable: 'com.bosch.iot.suite.manager.upload:AutoUploadable:1.0.0',
  uploadable: 'com.bosch.iot.suite.manager.upload:Uploadable:1.0.0',
  backupAndRestore: 'com.bosch.iot.suite.manager.backup:BackupAndRestore:1.0.0',
  updateManager: 'com.bosch.iot.suite.edge.update:UpdateManager:1.0.0',
} as const);

/** The `definition` arrays written with a whole-feature twin modify (§3.2, §3.1). */
export const FeatureDefinitionLists = Object.freeze({
  containerFactory: Object.freeze([FeatureDefinitions.containerFactory]),
  container: Object.freeze([FeatureDefinitions.container]),
  softwareUpdatable: Object.freeze([FeatureDefinitions.softwareUpdatable]),
  metrics: Object.freeze([FeatureDefinitions.metrics]),
  autoUploadable: Object.freeze([FeatureDefinitions.autoUploadable, FeatureDefinitions.uploadable]),
  backupAndRestore: Object.freeze([FeatureDefinitions.backupAndRestore, FeatureDefinitions.uploadable]),
  updateManager: Object.freeze([FeatureDefinitions.updateManager]),
} as const);

/** `Container:<containerId>`. */
export function containerFeatureId(containerId: string): string {
  return `${CONTAINER_FEATURE_PREFIX}${containerId}`;
}

/** The container ID of a `Container:<id>` feature, or undefined for other features. */
export function containerIdOfFeature(featureId: string): string | undefined {
  if (!featureId.startsWith(CONTAINER_FEATURE_PREFIX)) return undefined;
  const id = featureId.slice(CONTAINER_FEATURE_PREFIX.length);
  return id === '' ? undefined : id;
}
