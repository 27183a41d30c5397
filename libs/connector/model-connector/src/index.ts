export type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS, CloudCredentials, CloudEndpoint, ConnectorMode } from './cloud-protocol';
