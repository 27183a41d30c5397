export type { BusMessage, CloudProtocol, DeviceContext, DesiredUpdate, KnownTwin, Mapped, QoS, CloudCredentials, CloudEndpoint, ConnectorMode } from './cloud-protocol';
export { CONNECTOR_CLIENT_ID, CONNECTOR_LOCAL_FILTERS, connectorDurableSession } from './local-session';
export {
  BOOTSTRAPPING_FEATURE_ID,
  BOOTSTRAPPING_DEFINITION,
  BOOTSTRAPPING_REQUEST,
  BOOTSTRAPPING_RESPONSE,
  DEFAULT_CHUNK_BYTES,
  buildBootstrapRequests,
  parseBootstrapResponse,
} from './bootstrapping';
export type { BootstrapRequestValue, BootstrapResponseValue, ParsedBootstrapResponse } from './bootstrapping';
export { bootstrappingSpec } from './bootstrapping-config';
export type { BootstrappingSpec } from './bootstrapping-config';
