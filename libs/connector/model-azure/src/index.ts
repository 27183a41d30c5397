export { createAzureProtocol, defaultAzureProtocolOptions, AZURE_LOCAL_SUBSCRIPTIONS } from './azure-protocol';
export type { AzureProtocolOptions } from './azure-protocol';
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
export { d2cTopic, c2dSubscription, AZURE_CONTENT_TYPE, AZURE_CONTENT_ENCODING } from './azure-topics';
export { queryEscape, encodeValues } from './query-escape';
export { AzureErrorCodes } from './errors';
export type { AzureErrorCode } from './errors';
export { AZURE_DEFAULT_TENANT_ID } from './defaults';
export { createAzureMode } from './azure-mode';
export type { AzureModeOptions } from './azure-mode';
