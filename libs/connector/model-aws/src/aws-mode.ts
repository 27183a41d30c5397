// `mode: aws` (§2.2) as the connector needs it: the mapping plus where and as whom to connect. The device
// ID is the client certificate's CN, the MQTT client ID defaults to it, the tenant to
// `default-tenant-id`; no provisioning file, mutual TLS only (no user name/password).
import type { ConnectorMode } from '@ledge/connector/model-connector';
import { ConfigError, type LedgeError } from '@ledge/shared/util';
import { createAwsProtocol, type AwsProtocol } from './aws-protocol';
import { awsConnectionDefaults } from './connection';
import { awsDeviceIdFromCertificate } from './device-id';

export interface AwsModeOptions {
  /** The PEM client certificate (`cert`); its CN is the device ID. */
  readonly certificate: string | Buffer;
  /** `tls://<prefix>-ats.iot.<region>.amazonaws.com:8883`. */
  readonly address: string;
  /** Empty: the device ID. */
  readonly clientId?: string;
  /** Empty: `default-tenant-id`. */
  readonly tenantId?: string;
  readonly topicFilter?: string;
  readonly payloadFilters?: readonly string[];
}

/** Configuration problems become ConfigErrors naming the config key (the app exits with code 2). */
function forKey<T>(key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as LedgeError;
    throw new ConfigError(`config key '${key}': ${e.message}`, { key, code: e.code });
  }
}

export function createAwsMode(options: AwsModeOptions): ConnectorMode & { readonly protocol: AwsProtocol } {
  const deviceId = forKey('cert', () => awsDeviceIdFromCertificate(options.certificate));
  const d = awsConnectionDefaults({ deviceId, ...(options.clientId ? { clientId: options.clientId } : {}), ...(options.tenantId ? { tenantId: options.tenantId } : {}) });
  const protocol = createAwsProtocol({
    ...(options.topicFilter ? { topicFilter: forKey('topicFilter', () => new RegExp(options.topicFilter!)) } : {}),
    payloadFilters: (options.payloadFilters ?? []).map((p) => forKey('payloadFilters', () => new RegExp(p))),
  });
  return { protocol, endpoint: { identity: { deviceId, tenantId: d.tenantId }, address: options.address, clientId: d.clientId } };
}
