// `ledge run --dev-cloud` (npm start, issue 24): the development cloud runs beside the stack and the
// connector is provisioned to it: the cloud address, tenant, device and password of the dev cloud's
// gateway device (created on its first start in `<dataDir>/devices.json`). They replace whatever cloud the
// connector's own config names: --dev-cloud says which cloud to use. And how soon to dial it again: the
// connector's default reconnect (Kanto's 60 s ±25 %, up to 240 s) spares a remote cloud, but the dev cloud
// is a process beside it that may not listen yet when the connector first dials (`--processes` starts every
// child at once) or that the supervisor restarts within a second; a refused first dial left the gateway
// offline for up to 75 s.
import { join } from 'node:path';
import { ConfigError, prepareConfig, type AppEntry, type ConfigSpec } from '@ledge/shared/util';

/** The connector's reconnect to the dev cloud, seconds: within about a second, then at most 5 s apart. */
export const DEV_CLOUD_RECONNECT = Object.freeze({ backoffInitial: 1, backoffMax: 5 });

export interface DevCloudPlan {
  readonly entry: AppEntry<ConfigSpec>;
  /** The connector's cloud settings (all-in-one: config overrides). */
  readonly connector: Readonly<Record<string, string | number>>;
  /** The same for a connector child (--processes): its env. */
  readonly connectorEnv: Readonly<Record<string, string>>;
}

export async function planDevCloud(options: { env: Readonly<Record<string, string | undefined>>; devDir?: string }): Promise<DevCloudPlan> {
  // loaded only with --dev-cloud: a gateway's `ledge run` never evaluates it
  const { devCloudEntry, devCloudMqttUrl, ensureDevices } = await import('@ledge/dev-cloud/feature-dev-cloud');
  const { config } = prepareConfig(devCloudEntry, { argv: [], env: options.env, ...(options.devDir ? { devDir: options.devDir } : {}) });
  if (config.mqttPort === 0) throw new ConfigError('--dev-cloud: the dev cloud\'s mqttPort must be a fixed port for the connector to dial (not 0)', { key: 'mqttPort' });
  const devices = await ensureDevices(join(config.dataDir, 'devices.json'), config.tenant);
  const gateway = devices[0];
  if (gateway === undefined) throw new ConfigError(`--dev-cloud: ${join(config.dataDir, 'devices.json')} names no device for the gateway`);
  // with TLS the connector dials mqtts and trusts the CA that signed the dev cloud's certificate
  const tls = config.tlsCert !== '';
  const caCert = config.tlsCa || config.tlsCert;
  const connector = {
    address: devCloudMqttUrl(config, config.mqttPort),
    tenantId: gateway.tenant,
    deviceId: gateway.deviceId,
    authId: gateway.authId,
    password: gateway.password,
    ...DEV_CLOUD_RECONNECT,
    ...(tls ? { caCert } : {}),
  };
  const connectorEnv = {
    LEDGE_CONNECTOR_ADDRESS: connector.address,
    LEDGE_CONNECTOR_TENANT_ID: connector.tenantId,
    LEDGE_CONNECTOR_DEVICE_ID: connector.deviceId,
    LEDGE_CONNECTOR_AUTH_ID: connector.authId,
    LEDGE_CONNECTOR_PASSWORD: connector.password,
    LEDGE_CONNECTOR_BACKOFF_INITIAL: String(DEV_CLOUD_RECONNECT.backoffInitial),
    LEDGE_CONNECTOR_BACKOFF_MAX: String(DEV_CLOUD_RECONNECT.backoffMax),
    ...(tls ? { LEDGE_CONNECTOR_CA_CERT: caCert } : {}),
  };
  return { entry: devCloudEntry as unknown as AppEntry<ConfigSpec>, connector, connectorEnv };
}
