export type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS, CloudCredentials, CloudEndpoint, ConnectorMode } from './cloud-protocol';
export { CONNECTOR_CLIENT_ID, CONNECTOR_LOCAL_FILTERS, connectorDurableSession } from './local-session';
