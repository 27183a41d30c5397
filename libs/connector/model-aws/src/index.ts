export { createAwsProtocol, defaultAwsProtocolOptions, withTimestamp, AWS_LOCAL_SUBSCRIPTIONS } from './aws-protocol';
export type { AwsProtocol, AwsProtocolOptions } from './aws-protocol';
export {
  AWS_COMMAND_SUBSCRIPTIONS,
  SHADOW_DELETE,
  SHADOW_GET,
  SHADOW_UPDATE,
  parseShadowAccepted,
  parseShadowResponse,
  shadowBase,
  shadowDesiredSubscriptions,
  shadowStateSubscriptions,
  shadowTopic,
} from './aws-topics';
export type { ShadowOperation, ShadowResponse, ShadowResponseTopic } from './aws-topics';
export { isValidShadowName } from './shadow-sections';
export { awsDeviceIdFromCertificate, certificateCommonName } from './device-id';
export { createShadowStateCache, defaultShadowStateCacheOptions } from './shadow-state';
export type { ShadowStateCache, ShadowStateCacheOptions } from './shadow-state';
export { toShadowMessages } from './shadow-mapping';
export type { ShadowMappingContext } from './shadow-mapping';
export { AwsErrorCodes } from './errors';
export type { AwsErrorCode } from './errors';
export { AWS_DEFAULT_TENANT_ID, awsConnectionDefaults } from './connection';
export type { AwsConnectionDefaults } from './connection';
export { createAwsMode } from './aws-mode';
export type { AwsModeOptions } from './aws-mode';
