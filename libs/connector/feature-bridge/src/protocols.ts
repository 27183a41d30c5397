// `mode` → cloud protocol: Hono / Bosch IoT Suite (identity from provisioning.json + config), AWS IoT
// Core (identity from the client certificate, §2.2), Azure IoT Hub (from the connection string, §2.3).
import { connectorSpec } from './config';
import { createConnectorEntry, type ProtocolRegistry } from './connector';
import { createAwsMode } from '@ledge/connector/model-aws';
import { createAzureMode } from '@ledge/connector/model-azure';
import { createHonoProtocol } from '@ledge/connector/model-hono';
import { withHealth } from '@ledge/shared/data-access-mqtt';

export const connectorProtocols: ProtocolRegistry = {
  hono: () => createHonoProtocol(),
  aws: (config, env) =>
    createAwsMode({
      certificate: env.readFile('cert', config.cert),
      address: config.address,
      clientId: config.clientId,
      tenantId: config.tenantId,
      topicFilter: config.topicFilter,
      payloadFilters: config.payloadFilters,
    }),
  azure: (config, env) =>
    createAzureMode({
      connectionString: config.connectionString,
      sasTokenValidity: config.sasTokenValidity,
      tenantId: config.tenantId,
      hasClientCertificate: config.cert !== '' && config.key !== '',
      // The default address is Hono's; Azure's comes from the connection string unless one is configured.
      address: config.address === connectorSpec.address.default ? '' : config.address,
      nowMs: env.now(),
      onLeftOut: (reason) => env.logger.debug({ mode: 'azure', reason }, 'part of a message left out of the cloud message'),
    }),
};

/** The connector app, as `ledge-connector` and the all-in-one `ledge run` host it: reports its health and runs the `Health` feature. */
export const connectorEntry = withHealth(createConnectorEntry(connectorProtocols), { feature: true });
