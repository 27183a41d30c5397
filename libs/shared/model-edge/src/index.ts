export type { ParseFailure } from '@ledge/shared/util-parse';
export type { JsonLimits } from '@ledge/shared/util-parse';
export { EdgeTopics, EdgeTopicPublishOptions } from './topics';
export type { EdgePublishOptions } from './topics';
export {
  parseThingIdentity,
  buildThingIdentity,
  encodeThingIdentity,
  sameThingIdentity,
  isNamespacedId,
  defaultEdgePayloadLimits,
} from './thing-identity';
export type { ThingIdentity, ThingIdentityParseResult } from './thing-identity';
export { ConnectionCauses, isConnectionCause } from './connection-cause';
export type { ConnectionCause } from './connection-cause';
export {
  parseConnectionStatus,
  buildConnectedStatus,
  buildDisconnectedStatus,
  encodeConnectionStatus,
  toUnixSeconds,
  LAST_WILL_STATUS,
} from './connection-status';
export type {
  ConnectionStatus,
  ConnectedStatus,
  DisconnectedStatus,
  OutboxStatus,
  ConnectedStatusOptions,
  DisconnectedStatusOptions,
  ConnectionStatusParseResult,
} from './connection-status';
export {
  LEDGE_APPS,
  HealthTopics,
  HealthPublishOptions,
  isHealthAppName,
  healthTopic,
  appOfHealthTopic,
  buildHealthUp,
  buildHealthDown,
  encodeHealth,
  parseHealth,
} from './health';
export type { AppHealth, HealthDownReason, HealthOptions, HealthParseResult } from './health';
export {
  ContainerLogsTopics,
  CONTAINER_LOGS_ASKER,
  CONTAINER_LOGS_ANSWERER,
  CONTAINER_LOGS_LIMITS,
  NO_SUCH_CONTAINER,
  containerLogsResponseTopic,
  encodeContainerLogsRequest,
  parseContainerLogsRequest,
  encodeContainerLogsAnswer,
  parseContainerLogsAnswer,
  chunkLines,
} from './container-logs';
export type { ContainerLogsRequest, ContainerLogsChunk, ContainerLogsEnd, ContainerLogsAnswer } from './container-logs';
