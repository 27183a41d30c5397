// `mode: azure` (§2.3) as the connector needs it: the mapping plus the endpoint from the connection
// string. Every connection attempt gets a fresh SAS token valid for `sasTokenValidity`; the cloud client
// reconnects at 90 % of it. With X.509 (`cert`/`key`, no SharedAccessKey) only the user name is sent.
// DPS (`idScope`) is not implemented.
import type { CloudCredentials, ConnectorMode } from '@ledge/connector/model-connector';
import { ConfigError, type LedgeError } from '@ledge/shared/util';
import { createAzureProtocol } from './azure-protocol';
import { AZURE_DEFAULT_TENANT_ID } from './defaults';
import { AzureErrorCodes } from './errors';
import { azureConnectionParams, DEFAULT_SAS_TOKEN_VALIDITY } from './sas-token';

export interface AzureModeOptions {
  /** `HostName=…;DeviceId=…;SharedAccessKey=…` (a secret: never logged). */
  readonly connectionString: string;
  /** `<n>m|h|d`; default 1h. */
  readonly sasTokenValidity?: string;
  /** Empty: `defaultTenant`. */
  readonly tenantId?: string;
  /** A client certificate and key are configured (X.509 instead of SAS). */
  readonly hasClientCertificate: boolean;
  /** Overrides `mqtts://<HostName>:8883` (a private endpoint, a test broker). Empty: from the connection string. */
  readonly address?: string;
  /** Epoch ms, for the validation at start-up. */
  readonly nowMs: number;
  /** Told why a part of an otherwise mapped message was left out (the protocol's onLeftOut). */
  readonly onLeftOut?: (reason: string) => void;
}

export function createAzureMode(options: AzureModeOptions): ConnectorMode {
  const params = (nowMs: number) =>
    azureConnectionParams({
      connectionString: options.connectionString,
      nowMs,
      sasTokenValidity: options.sasTokenValidity || DEFAULT_SAS_TOKEN_VALIDITY,
      hasClientCertificate: options.hasClientCertificate,
    });
  let first;
  try {
    first = params(options.nowMs);
  } catch (err) {
    const e = err as LedgeError;
    const key = e.code === AzureErrorCodes.INVALID_SAS_TOKEN_VALIDITY ? 'sasTokenValidity' : 'connectionString';
    throw new ConfigError(`config key '${key}': ${e.message}`, { key, code: e.code });
  }
  const credentials = (nowMs: number): CloudCredentials => {
    const p = params(nowMs);
    return { username: p.username, ...(p.password === undefined ? {} : { password: p.password, renewAtMs: p.renewAtMs! }) };
  };
  return {
    protocol: createAzureProtocol({ azureDeviceId: first.deviceId, ...(options.onLeftOut ? { onLeftOut: options.onLeftOut } : {}) }),
    endpoint: {
      identity: { deviceId: first.deviceId, tenantId: options.tenantId || AZURE_DEFAULT_TENANT_ID },
      address: options.address || first.url,
      clientId: first.clientId,
      credentials,
    },
  };
}
