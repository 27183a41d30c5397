// Shared access signature tokens for Azure IoT Hub devices (§2.3; Azure "Control access to IoT Hub
// using Shared Access Signatures"): sr = url-encoded `<HostName>/devices/<DeviceId>`, sig =
// base64(HMAC-SHA256(decoded key, "<sr>\n<se>")), se = expiry in Unix seconds. Encoding after Kanto
// (Go url.QueryEscape for sr, sig and se).
import { createHmac } from 'node:crypto';
import { parseAzureConnectionString } from './connection-string';
import { invalidSasTokenValidityError, missingCredentialsError } from './errors';
import { queryEscape } from './query-escape';

/** Kanto's azure-connector regenerates the token when 90 % of its validity has passed. */
export const SAS_TOKEN_RENEWAL_FACTOR = 0.9;
export const DEFAULT_SAS_TOKEN_VALIDITY = '1h';
/** §2.3: the MQTT API version in the username. */
export const AZURE_MQTT_API_VERSION = '2020-09-30';
export const AZURE_MQTT_PORT = 8883;

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({ m: 60_000, h: 3_600_000, d: 86_400_000 });

/** `sasTokenValidity` (`<n>m|h|d`, n ≥ 1) → milliseconds; throws LEDGE_CONNECTOR_AZURE_INVALID_SAS_TOKEN_VALIDITY. */
export function parseSasTokenValidity(value: string): number {
  const m = /^([0-9]{1,6})([mhd])$/.exec(value.trim());
  const n = m === null ? 0 : Number(m[1]);
  if (m === null || n < 1) throw invalidSasTokenValidityError(value);
  return n * UNIT_MS[m[2]!]!;
}

export interface SasTokenOptions {
  /** `<HostName>/devices/<DeviceId>` (not yet encoded). */
  readonly resourceUri: string;
  /** The decoded shared access key. */
  readonly key: Buffer;
  /** Expiry, Unix seconds. */
  readonly expiresAtSeconds: number;
  /** Policy name (`skn`), only for policy-scoped keys. */
  readonly keyName?: string;
}

export function buildSasToken(options: SasTokenOptions): string {
  const sr = queryEscape(options.resourceUri);
  const se = String(Math.floor(options.expiresAtSeconds));
  const sig = createHmac('sha256', options.key).update(`${sr}\n${se}`).digest('base64');
  const skn = options.keyName ? `&skn=${queryEscape(options.keyName)}` : '';
  return `SharedAccessSignature sr=${sr}&sig=${queryEscape(sig)}&se=${se}${skn}`;
}

export interface AzureConnectionParamsOptions {
  readonly connectionString: string;
  /** Epoch ms (inject the clock). */
  readonly nowMs: number;
  /** `sasTokenValidity`, e.g. `1h`; default 1h. */
  readonly sasTokenValidity?: string;
  /** True when a client certificate and key are configured (X.509 authentication). */
  readonly hasClientCertificate?: boolean;
}

export interface AzureConnectionParams {
  /** `mqtts://<HostName>:8883`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly hubName: string;
  /** The Azure device ID; also the MQTT client ID. */
  readonly deviceId: string;
  readonly clientId: string;
  /** `<HostName>/<DeviceId>/api-version=2020-09-30` (§2.3, as Kanto sends it). */
  readonly username: string;
  /** The SAS token; absent with X.509 authentication (send cert/key instead). */
  readonly password?: string;
  /** When the token expires (epoch ms); absent with X.509. */
  readonly expiresAtMs?: number;
  /** When to reconnect with a fresh token (90 % of the validity); absent with X.509. */
  readonly renewAtMs?: number;
}

/**
 * Everything the MQTT client needs to connect to IoT Hub (§2.3). With a SharedAccessKey a SAS token valid
 * for `sasTokenValidity` is the password, to be renewed at `renewAtMs` (reconnect with fresh params);
 * without one the device must use X.509 (`hasClientCertificate`), else LEDGE_CONNECTOR_AZURE_MISSING_CREDENTIALS.
 */
export function azureConnectionParams(options: AzureConnectionParamsOptions): AzureConnectionParams {
  const cs = parseAzureConnectionString(options.connectionString);
  const base = {
    url: `mqtts://${cs.hostName}:${AZURE_MQTT_PORT}`,
    host: cs.hostName,
    port: AZURE_MQTT_PORT,
    hubName: cs.hubName,
    deviceId: cs.deviceId,
    clientId: cs.deviceId,
    username: `${cs.hostName}/${cs.deviceId}/api-version=${AZURE_MQTT_API_VERSION}`,
  };
  if (cs.sharedAccessKey === undefined) {
    if (!options.hasClientCertificate) throw missingCredentialsError();
    return base;
  }
  const validityMs = parseSasTokenValidity(options.sasTokenValidity ?? DEFAULT_SAS_TOKEN_VALIDITY);
  const expiresAtSeconds = Math.floor((options.nowMs + validityMs) / 1000);
  const password = buildSasToken({
    resourceUri: `${cs.hostName}/devices/${cs.deviceId}`,
    key: cs.sharedAccessKey,
    expiresAtSeconds,
    ...(cs.sharedAccessKeyName ? { keyName: cs.sharedAccessKeyName } : {}),
  });
  return {
    ...base,
    password,
    expiresAtMs: expiresAtSeconds * 1000,
    renewAtMs: options.nowMs + Math.floor(validityMs * SAS_TOKEN_RENEWAL_FACTOR),
  };
}
