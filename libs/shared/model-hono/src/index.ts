export type { ParseFailure } from '@ledge/shared/util-parse';
export {
  HonoEndpoints,
  HonoShortEndpoints,
  HonoCommandDirections,
  HonoShortCommandDirections,
  normaliseEndpoint,
  normaliseCommandDirection,
} from './endpoints';
export type { HonoEndpoint, HonoCommandDirection } from './endpoints';
export { parseHonoTopic, topicNameProblem } from './hono-topic';
export type {
  HonoTopic,
  HonoTelemetryTopic,
  HonoCommandRequestTopic,
  HonoCommandResponseTopic,
  HonoTopicParseResult,
} from './hono-topic';
export {
  buildEventTopic,
  buildTelemetryTopic,
  buildCommandRequestTopics,
  buildCommandResponseTopic,
  buildCommandSubscription,
  normaliseCommandSubscription,
} from './topic-builders';
export type { HonoTelemetryAddress, HonoCommandRequestAddress, HonoCommandResponseAddress } from './topic-builders';
export { routeLocalToCloud, routeCloudToLocal } from './routing';
export type { CloudIdentity, LocalToCloudResult, CloudToLocalResult } from './routing';
export { createCorrelationCache, defaultCorrelationCacheOptions } from './correlation-cache';
export type { CorrelationCache, CorrelationCacheOptions } from './correlation-cache';
