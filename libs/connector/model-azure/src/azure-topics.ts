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

// Device twin and direct-method topics (Azure "Communicate with an IoT hub using the MQTT protocol":
// "Retrieve a device twin's properties", "Update device twin's reported properties", "Receiving desired
// properties update notifications", "Respond to a direct method"). Requests carry a request ID `$rid`
// that the hub echoes in its response topic; the property bag follows `/?`.
export const TWIN_RESPONSE_SUBSCRIPTION = '$iothub/twin/res/#';
export const TWIN_DESIRED_SUBSCRIPTION = '$iothub/twin/PATCH/properties/desired/#';
export const METHOD_SUBSCRIPTION = '$iothub/methods/POST/#';

const TWIN_RESPONSE_PREFIX = '$iothub/twin/res/';
const TWIN_DESIRED_PREFIX = '$iothub/twin/PATCH/properties/desired/';
const METHOD_PREFIX = '$iothub/methods/POST/';

/** A `$rid` this mapping writes or accepts: one topic level that needs no escaping in a property bag. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9\-_.~]{1,64}$/;

/** `$iothub/twin/GET/?$rid=<rid>` (empty payload); answered on `$iothub/twin/res/<status>/?$rid=<rid>`. */
export function twinGetTopic(rid: string): string {
  return `$iothub/twin/GET/?$rid=${rid}`;
}

/** `$iothub/twin/PATCH/properties/reported/?$rid=<rid>`; answered with 204 and the new `$version`. */
export function twinReportedPatchTopic(rid: string): string {
  return `$iothub/twin/PATCH/properties/reported/?$rid=${rid}`;
}

/** `$iothub/methods/res/<status>/?$rid=<rid>`: the answer to a direct method. */
export function methodResponseTopic(status: number, rid: string): string {
  return `$iothub/methods/res/${status}/?$rid=${rid}`;
}

export type IotHubTopic =
  | { readonly kind: 'twin-response'; readonly status: number; readonly rid: string; readonly version?: number }
  | { readonly kind: 'desired-patch'; readonly version?: number }
  | { readonly kind: 'method'; readonly method: string; readonly rid: string };

/**
 * Reads a `$iothub/...` topic the hub publishes to the device; undefined for other topics, a string
 * (the problem) for a twin or method topic that is malformed.
 */
export function parseIotHubTopic(topic: string): IotHubTopic | string | undefined {
  if (topic.startsWith(TWIN_RESPONSE_PREFIX)) {
    const [status, bag] = splitBag(topic.slice(TWIN_RESPONSE_PREFIX.length));
    const rid = bag?.get('$rid');
    if (status === undefined || !/^\d{3}$/.test(status)) return `twin response topic "${topic.slice(0, 200)}" has no status`;
    if (rid === undefined || !SAFE_REQUEST_ID.test(rid)) return `twin response topic "${topic.slice(0, 200)}" has no usable $rid`;
    const version = versionOf(bag);
    return { kind: 'twin-response', status: Number(status), rid, ...(version === undefined ? {} : { version }) };
  }
  if (topic.startsWith(TWIN_DESIRED_PREFIX)) {
    const [rest, bag] = splitBag(topic.slice(TWIN_DESIRED_PREFIX.length));
    if (rest !== '') return `desired-properties topic "${topic.slice(0, 200)}" has extra levels`;
    const version = versionOf(bag);
    return { kind: 'desired-patch', ...(version === undefined ? {} : { version }) };
  }
  if (topic.startsWith(METHOD_PREFIX)) {
    const [method, bag] = splitBag(topic.slice(METHOD_PREFIX.length));
    const rid = bag?.get('$rid');
    if (method === undefined || method === '') return `direct-method topic "${topic.slice(0, 200)}" has no method name`;
    if (rid === undefined || !SAFE_REQUEST_ID.test(rid)) return `direct-method topic "${topic.slice(0, 200)}" has no usable $rid`;
    return { kind: 'method', method, rid };
  }
  return undefined;
}

/** `<levels>/?<bag>` (or `?<bag>` right after the prefix) → [levels, bag]; without `/?` the whole string is levels (trailing '/' removed) and no bag. */
function splitBag(s: string): [string | undefined, Map<string, string> | undefined] {
  if (s.startsWith('?')) return ['', parsePropertyBag(s.slice(1))];
  const at = s.lastIndexOf('/?');
  if (at < 0) return [s.endsWith('/') ? s.slice(0, -1) : s, undefined];
  return [s.slice(0, at), parsePropertyBag(s.slice(at + 2))];
}

/** `k=v&k2=v2`, percent-decoded; a pair that does not decode is left out. */
export function parsePropertyBag(bag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of bag.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    if (key !== undefined && value !== undefined && !out.has(key)) out.set(key, value);
  }
  return out;
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined; // malformed %-escape: the pair is ignored
  }
}

function versionOf(bag: Map<string, string> | undefined): number | undefined {
  const v = bag?.get('$version');
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}
