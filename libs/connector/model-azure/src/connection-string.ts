// Azure IoT Hub device connection strings (§2.3):
// `HostName=<hub>.azure-devices.net;DeviceId=<id>;SharedAccessKey=<base64>` (optionally
// `SharedAccessKeyName=<policy>`; without SharedAccessKey the device authenticates with X.509).
import { invalidConnectionStringError } from './errors';

export interface AzureConnectionString {
  readonly hostName: string;
  /** The first DNS label of the host: `<hub>` of `<hub>.azure-devices.net`. */
  readonly hubName: string;
  readonly deviceId: string;
  /** The decoded shared access key; absent for X.509 devices. */
  readonly sharedAccessKey?: Buffer;
  readonly sharedAccessKeyName?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Parses and checks a device connection string; throws LEDGE_CONNECTOR_AZURE_INVALID_CONNECTION_STRING. */
export function parseAzureConnectionString(connectionString: string): AzureConnectionString {
  const props = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    // The part is not echoed: it may be the secret key.
    if (eq <= 0) throw invalidConnectionStringError('every ";"-separated part must be <key>=<value>');
    const key = part.slice(0, eq).trim();
    if (props.has(key)) throw invalidConnectionStringError(`${key} is given twice`);
    props.set(key, part.slice(eq + 1).trim());
  }
  const hostName = props.get('HostName') ?? '';
  const deviceId = props.get('DeviceId') ?? '';
  if (hostName === '') throw invalidConnectionStringError('the HostName is required');
  if (!HOST.test(hostName)) throw invalidConnectionStringError(`HostName "${hostName}" is not a host name`);
  if (deviceId === '') throw invalidConnectionStringError('the DeviceId is required');
  if (/[/+#\u0000-\u001f]/.test(deviceId)) throw invalidConnectionStringError(`DeviceId "${deviceId}" contains '/', '+', '#' or control characters`);
  const result: { -readonly [K in keyof AzureConnectionString]: AzureConnectionString[K] } = {
    hostName,
    hubName: hostName.split('.')[0]!,
    deviceId,
  };
  const key = props.get('SharedAccessKey');
  if (key !== undefined) {
    if (key === '' || !BASE64.test(key)) throw invalidConnectionStringError('the SharedAccessKey is not base64 encoded');
    result.sharedAccessKey = Buffer.from(key, 'base64');
  }
  const keyName = props.get('SharedAccessKeyName');
  if (keyName) result.sharedAccessKeyName = keyName;
  return result;
}
