export { createDeviceMqttAdapter, defaultDeviceMqttAdapterOptions } from './device-mqtt-adapter';
export type { DeviceMqttAdapter, DeviceMqttAdapterOptions, ListenOptions } from './device-mqtt-adapter';
export { DeviceMqttErrorCodes } from './errors';
export type { DeviceMqttErrorCode } from './errors';
