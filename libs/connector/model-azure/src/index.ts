export { createAzureProtocol, defaultAzureProtocolOptions, AZURE_LOCAL_SUBSCRIPTIONS } from './azure-protocol';
export type { AzureProtocol, AzureProtocolOptions } from './azure-protocol';
export { parseAzureConnectionString } from './connection-string';
export type { AzureConnectionString } from './connection-string';
export {
  azureConnectionParams,
  buildSasToken,
  parseSasTokenValidity,
  AZURE_MQTT_API_VERSION,
  AZURE_MQTT_PORT,
  DEFAULT_SAS_TOKEN_VALIDITY,
  SAS_TOKEN_RENEWAL_FACTOR,
} from './sas-token';
export type { AzureConnectionParams, AzureConnectionParamsOptions, SasTokenOptions } from './sas-token';
export {
  d2cTopic,
  c2dSubscription,
  twinGetTopic,
  twinReportedPatchTopic,
  methodResponseTopic,
  parseIotHubTopic,
  parsePropertyBag,
  AZURE_CONTENT_TYPE,
  AZURE_CONTENT_ENCODING,
  METHOD_SUBSCRIPTION,
  SAFE_REQUEST_ID,
  TWIN_DESIRED_SUBSCRIPTION,
  TWIN_RESPONSE_SUBSCRIPTION,
} from './azure-topics';
export type { IotHubTopic } from './azure-topics';
export { METHOD_REQUEST_ID_PREFIX, MAX_METHOD_PAYLOAD_BYTES, methodRequestId, methodRidOf } from './direct-methods';
export { featureSectionName, featureSectionOf } from './twin-sections';
export type { FeatureSection } from './twin-sections';
export { defaultTwinPropertyLimits, sanitiseTwinPatch, twinKeyProblem } from './twin-properties';
export type { SanitisedPatch, TwinPropertyLimits } from './twin-properties';
export { queryEscape, encodeValues } from './query-escape';
export { AzureErrorCodes } from './errors';
export type { AzureErrorCode } from './errors';
export { AZURE_DEFAULT_TENANT_ID } from './defaults';
export { createAzureMode } from './azure-mode';
export type { AzureModeOptions } from './azure-mode';
