// Azure IoT Hub MQTT topics used by the connector (§2.3; Azure "Communicate with an IoT hub using the
// MQTT protocol"): device-to-cloud `devices/<id>/messages/events/<property bag>`, cloud-to-device
// `devices/<id>/messages/devicebound/<property bag>`.
import { encodeValues } from './query-escape';

export const AZURE_CONTENT_TYPE = 'application/json';
export const AZURE_CONTENT_ENCODING = 'utf-8';

/** `devices/<id>/messages/events/$.ce=utf-8&$.ct=application/json&$.mid=<id>`, encoded as Go's url.Values. */
export function d2cTopic(deviceId: string, messageId: string): string {
  const bag = encodeValues({ '$.ct': AZURE_CONTENT_TYPE, '$.ce': AZURE_CONTENT_ENCODING, ...(messageId ? { '$.mid': messageId } : {}) });
  return `devices/${deviceId}/messages/events/${bag}`;
}

export function c2dPrefix(deviceId: string): string {
  return `devices/${deviceId}/messages/devicebound/`;
}

export function c2dSubscription(deviceId: string): string {
  return `${c2dPrefix(deviceId)}#`;
}
