// `ledge run --dev-cloud` (npm start, issue 24): the development cloud runs beside the stack and the
// connector is provisioned to it: the cloud address, tenant, device and password of the dev cloud's
// gateway device (created on its first start in `<dataDir>/devices.json`). They replace whatever cloud the
// connector's own config names: --dev-cloud says which cloud to use.
import { join } from 'node:path';
import { ConfigError, prepareConfig, type AppEntry, type ConfigSpec } from '@ledge/shared/util';

export interface DevCloudPlan {
  readonly entry: AppEntry<ConfigSpec>;
  /** The connector's cloud settings (all-in-one: config overrides). */
  readonly connector: Readonly<Record<string, string>>;
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
    ...(tls ? { caCert } : {}),
  };
  const connectorEnv = {
    LEDGE_CONNECTOR_ADDRESS: connector.address,
    LEDGE_CONNECTOR_TENANT_ID: connector.tenantId,
    LEDGE_CONNECTOR_DEVICE_ID: connector.deviceId,
    LEDGE_CONNECTOR_AUTH_ID: connector.authId,
    LEDGE_CONNECTOR_PASSWORD: connector.password,
    ...(tls ? { LEDGE_CONNECTOR_CA_CERT: caCert } : {}),
  };
  return { entry: devCloudEntry as unknown as AppEntry<ConfigSpec>, connector, connectorEnv };
}
