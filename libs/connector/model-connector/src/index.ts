export type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS } from './cloud-protocol';
