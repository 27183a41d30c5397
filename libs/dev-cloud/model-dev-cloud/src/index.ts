export type { DeviceAddress, DeviceMessage, DeviceCommand, DeviceConnection, DeviceLink } from './device-link';
