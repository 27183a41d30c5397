export type { ParseFailure } from '@ledge/shared/util-parse';
export type { JsonLimits } from '@ledge/shared/util-parse';
export {
  DittoHeaderNames,
  JSON_CONTENT_TYPE,
  getHeader,
  getHeaderString,
  getCorrelationId,
  isResponseRequired,
} from './headers';
export type { DittoHeaders, DittoHeaderValue, DittoHeaderPrimitive } from './headers';
export { parseEnvelope, defaultParseEnvelopeOptions, peekEnvelopeAddress } from './envelope';
export type { DittoEnvelope, EnvelopeAddress, EnvelopeParseResult, ParseEnvelopeOptions } from './envelope';
export {
  parseDittoTopic,
  buildDittoTopic,
  topicThingId,
  isTopicForThing,
  DittoChannels,
  DittoCommandActions,
  DittoEventActions,
  DITTO_GROUP_THINGS,
  DITTO_PLACEHOLDER,
} from './topic';
export type {
  DittoTopic,
  DittoCommandTopic,
  DittoEventTopic,
  DittoMessageTopic,
  DittoErrorTopic,
  DittoChannel,
  DittoCriterion,
  DittoCommandAction,
  DittoEventAction,
  DittoTopicParseResult,
} from './topic';
export {
  parseThingId,
  formatThingId,
  sameThingId,
  containerThingId,
  isContainerThingId,
  deviceOfContainerThing,
  isValidNamespace,
  isValidEntityName,
  EDGE_CONTAINERS_SUFFIX,
  MAX_THING_ID_LENGTH,
} from './thing-id';
export type { ThingId, ThingIdParseResult } from './thing-id';
export {
  FeatureIds,
  FeatureDefinitions,
  FeatureDefinitionLists,
  CONTAINER_FEATURE_PREFIX,
  containerFeatureId,
  containerIdOfFeature,
} from './features';
export { parseDittoTimeout, DEFAULT_DITTO_TIMEOUT_MS } from './timeout';
export {
  parseFeaturePath,
  parseFeatureMessagePath,
  parseFeaturePropertyPath,
  featurePath,
  featurePropertyPath,
  featureMessagePath,
  toOutboxPath,
  splitPath,
  joinPath,
} from './path';
export type {
  MessageBox,
  FeaturePath,
  FeatureMessagePath,
  FeaturePropertyPath,
  FeaturePathParseResult,
  FeatureMessagePathParseResult,
  FeaturePropertyPathParseResult,
} from './path';
export { DittoErrorCodes, DittoErrorStatus, createDittoError, dittoError, isDittoErrorValue } from './errors';
export type { DittoErrorCode, DittoErrorValue, KnownDittoErrorCode } from './errors';
export { buildTwinModify, buildTwinDelete } from './twin-command';
export type { TwinModifyOptions, TwinDeleteOptions } from './twin-command';
export { buildLiveMessage } from './live-message';
export type { LiveMessageOptions } from './live-message';
export { buildResponse, buildErrorResponse, shouldRespond } from './response';
export type { ResponseOptions, ErrorResponseOptions } from './response';
export {
  parsePointer,
  formatPointer,
  escapeSegment,
  unescapeSegment,
  getAt,
  valueAt,
  setAt,
  deleteAt,
  nestAt,
  defaultPointerLimits,
} from './json-pointer';
export type { Lookup, PointerLimits, PointerParseResult } from './json-pointer';
export { mergePatch, withRemovedAsNull } from './merge-patch';
export {
  parseJsonObject,
  isJsonObject,
  getOwn,
  setOwn,
  copyObject,
  withoutKey,
  objectFrom,
  jsonEqual,
  isEmptyObject,
} from './json-value';
export type { JsonObject } from './json-value';
export { parseTwinPath, twinPathOf, formatTwinPath, twinPathSegments, isValidFeatureId, defaultTwinPathLimits, MAX_FEATURE_ID_LENGTH } from './twin-path';
export type { TwinPath, TwinScope, TwinPathLimits, TwinPathParseResult } from './twin-path';
