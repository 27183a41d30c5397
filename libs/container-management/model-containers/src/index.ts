export type {
  RestartPolicyType,
  NetworkMode,
  PropagationMode,
  LogDriver,
  LogMode,
  RestartPolicy,
  PortMapping,
  MountPoint,
  DeviceMapping,
  Resources,
  LogConfig,
  ContainerConfig,
} from './container';
export type { HealthCheck, HealthCheckKind, HealthProbe, HealthTiming, HealthStatus, ContainerHealth, ProbeOutcome } from './health-check';
export { HEALTH_CHECK_KINDS, MIN_HEALTH_INTERVAL_MS, defaultHealthTiming, descriptorHealthCheckOf, dittoHealthCheckOf, formatDuration, nextHealth, startingHealth } from './health-check';
export { healthCheckFromKeys, readHealthCheck, DITTO_HEALTH_KEYS, DESCRIPTOR_HEALTH_KEYS } from './health-check-parse';
export type { HealthKeysResult } from './health-check-parse';
export type {
  TaskStatus,
  PullProgress,
  ImageInfo,
  PullOptions,
  TaskInfo,
  ExitEvent,
  StopOptions,
  ContainerStats,
  LogOptions,
  LogLine,
  RuntimeInfo,
  ExecOptions,
  ExecResult,
  ContainerRuntime,
} from './runtime';
export { EXEC_OUTPUT_LIMIT } from './runtime';
export { parseSize, formatSize, MIN_MEMORY_BYTES } from './sizes';
export { toDittoEnum } from './reader';
export {
  defaultLogConfig,
  defaultRestartPolicy,
  defaultContainerConfig,
  nameFromImageRef,
  isValidContainerName,
  DEFAULT_MAX_RETRY_COUNT,
  DEFAULT_RETRY_TIMEOUT_SECONDS,
} from './defaults';
export {
  parseCreateValue,
  parseUpdateValue,
  parseStopOptions,
  parseRenameValue,
  parseRemoveValue,
  RESTART_POLICY_TYPES,
  NETWORK_MODES,
  PROPAGATION_MODES,
} from './ditto-config';
export type { Parsed, CreateRequest, UpdateRequest } from './ditto-config';
export { parseDescriptor } from './descriptor';
export {
  buildContainerStatus,
  dittoConfigOf,
  formatTimestamp,
  initialState,
  runningState,
  exitedState,
  stateFromTask,
} from './container-status';
export type { ContainerState, ContainerStateStatus, ContainerStatusInput } from './container-status';
export {
  parseMetricsRequest,
  buildMetricsData,
  measurementsOf,
  measurementSelected,
  wildcardMatches,
  MeasurementIds,
  MIN_METRICS_FREQUENCY_MS,
} from './metrics';
export type { MetricsFilter, MetricsRequest, MetricsData, StatsSample } from './metrics';
export { parseSuInstall, parseSuRemove, splitImageRef, installedDependency, CONTAINERS_SOFTWARE_MODULE_TYPE } from './software-updatable';
export type { SuInstall, SuRemove, SuModule, SuArtifact, SuChecksums, InstalledDependency } from './software-updatable';
export { parseRegistryConfigurations } from './registry-config';
export type { RegistrySettings, RegistryConfigResult } from './registry-config';
