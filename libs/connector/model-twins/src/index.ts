export type {
  FeatureRecord,
  SyncMark,
  ThingRecord,
  TwinContext,
  TwinEnvelope,
  TwinFeature,
  TwinMessage,
  TwinRead,
  TwinUplink,
  TwinWrite,
} from './twin-types';
export { parseFieldSelector, selectFields, defaultFieldSelectorLimits } from './field-selector';
export type { FieldSelectorLimits, FieldSelectorParseResult } from './field-selector';
export { TwinErrorCodes, twinError } from './twin-errors';
export type { TwinErrorCode } from './twin-errors';
export { thingJson, featureJson } from './twin-json';
export {
  isOwnThing,
  localResponseTopic,
  localEventTopic,
  uplinkTopic,
  commandTopic,
  eventTopic,
  errorsTopic,
  ERRORS_RESPONSE,
  SYNC_CONFLICT_HEADER,
} from './twin-messages';
export { handleLocalTwinCommand } from './local-commands';
export type { LocalCommandOutcome } from './local-commands';
export { syncMarkWrites } from './sync-marks';
export { retrieveDesiredCommand, parseRetrieveDesiredResponse } from './sync-retrieve';
export type { RetrieveDesiredAnswer } from './sync-retrieve';
export { pushCommands, knownTwins, MERGE_PATCH_CONTENT_TYPE } from './sync-push';
export type { PushOptions } from './sync-push';
export { applyDesired, desiredEvents } from './sync-desired';
export type { DesiredConflict, DesiredOutcome } from './sync-desired';
export { twinSectionName, parseTwinSectionName, DEFAULT_CHILD_SUFFIXES } from './sections';
export type { TwinSection, TwinSectionNameResult, SectionNameOptions } from './sections';
export { createTwinSectionRegistry, defaultTwinSectionRegistryOptions } from './section-registry';
export type { TwinSectionRegistry, TwinSectionRegistryOptions } from './section-registry';
export { cloudTwinCommandTopic } from './cloud-twin-commands';
export { setNewest, trimOldest } from './bounded-map';
