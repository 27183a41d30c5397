// Options of the cloud connection, defaults after suite-connector (§2.1.3): backoff 1 min → 4 min, ×2,
// ±25 %, connect timeout 30 s, keep-alive 20 s, 5 authentication failures before giving up.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { BackoffOptions, Logger } from '@ledge/shared/util';
import type { CloudCredentials } from '@ledge/connector/model-connector';
import type { CloudAddress } from './address';
import { invalidCloudOptionsError } from './errors';

export interface CloudClientOptions {
  /** §2.1.1 address, e.g. `mqtts://mqtt.bosch-iot-hub.com:8883`. */
  address: string;
  clientId: string;
  /** Sent only without a client certificate. */
  username?: string;
  password?: string;
  /** PEM CA bundle that signs the server certificate; empty → Node's built-in Mozilla CA store. */
  ca?: string | Buffer;
  /** PEM client certificate and unencrypted key: then no username/password is sent (§2.1.1). */
  cert?: string | Buffer;
  key?: string | Buffer;
  alpn?: readonly string[];
  /** Clean session; the connector keeps durability in its own outbox, so true by default. */
  clean: boolean;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  /** CONNACK "bad user name or password" / "not authorised" this many times in a row → give up. */
  authErrorRetries: number;
  /**
   * Called before every connection attempt (Azure SAS tokens): its user name/password replace the static
   * ones, and with `renewAtMs` the client reconnects at that time to present fresh credentials.
   */
  credentials?: (nowMs: number) => CloudCredentials;
  /** Wall clock (epoch ms) for `credentials`; tests inject it. */
  now?: () => number;
  logger?: Logger;
  /** MQTT.js `connect`; tests may wrap it. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export type CloudClientInit = Partial<Omit<CloudClientOptions, 'backoff'>> & Pick<CloudClientOptions, 'address' | 'clientId'> & { backoff?: Partial<BackoffOptions> };

export const defaultCloudClientOptions = Object.freeze({
  clean: true,
  keepaliveSeconds: 20,
  connectTimeoutMs: 30_000,
  backoff: Object.freeze({ initialMs: 60_000, maxMs: 240_000, multiplier: 2, jitter: 0.25 }),
  authErrorRetries: 5,
});

export function resolveCloudClientOptions(init: CloudClientInit): CloudClientOptions {
  const defined = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined && v !== '')) as CloudClientInit;
  const o: CloudClientOptions = { ...defaultCloudClientOptions, ...defined, backoff: { ...defaultCloudClientOptions.backoff, ...init.backoff } };
  const b = o.backoff;
  if (!(b.initialMs > 0 && b.maxMs >= b.initialMs && b.multiplier >= 1 && b.jitter >= 0 && b.jitter < 1)) {
    throw invalidCloudOptionsError('backoff needs 0 < initial ≤ max, multiplier ≥ 1, 0 ≤ jitter < 1');
  }
  if ((o.cert === undefined) !== (o.key === undefined)) throw invalidCloudOptionsError('cert and key go together');
  if (!(o.authErrorRetries >= 1)) throw invalidCloudOptionsError('authErrorRetries must be at least 1');
  if (!o.clientId) throw invalidCloudOptionsError('clientId is required');
  return o;
}

/** MQTT.js options for one attempt: its reconnect and resubscribe are off (this lib does both). */
export function toMqttJsOptions(o: CloudClientOptions, address: CloudAddress, credentials?: CloudCredentials): IClientOptions {
  const mqtt: IClientOptions = {
    clientId: o.clientId,
    clean: o.clean,
    keepalive: o.keepaliveSeconds,
    connectTimeout: o.connectTimeoutMs,
    protocolVersion: 4,
    reconnectPeriod: 0,
    // mqtt-packet's packet-id cache is 65,536 pre-made Buffers (~6 MB of heap per process); a 2-byte
    // allocation per QoS>0 packet is cheaper than that on a gateway.
    writeCache: false,
    resubscribe: false,
    queueQoSZero: false,
  };
  const certAuth = o.cert !== undefined && o.key !== undefined;
  // A credentials function decides for itself (Azure sends its user name also with X.509); static
  // credentials are not sent with a client certificate (§2.1.1).
  const creds = credentials ?? (certAuth ? {} : { username: o.username, password: o.password });
  if (creds.username !== undefined) mqtt.username = creds.username;
  if (creds.password !== undefined) mqtt.password = creds.password;
  if (address.secure) {
    // Server verification is always on; TLS 1.2 is the floor, 1.3 the ceiling (§2.1.1).
    Object.assign(mqtt, {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(certAuth ? { cert: o.cert, key: o.key } : {}),
      ...(o.alpn && o.alpn.length > 0 ? { ALPNProtocols: [...o.alpn] } : {}),
    });
  }
  return mqtt;
}
