// The connector's config schema: suite-connector's keys (§2.1.1, camelCase, same meaning) plus Ledge's
// (mode, outbox, replay, backoff). The README table is generated from it (configTable('connector', connectorSpec)).
import { defineConfig, localBusSpec } from '@ledge/shared/util';

const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? undefined : 'must be greater than 0');

export const connectorSpec = defineConfig({
  mode: { type: 'string', default: 'hono', describe: 'cloud protocol: hono (Eclipse Hono / Bosch IoT Suite), aws (AWS IoT Core), azure (Azure IoT Hub)', choices: ['hono', 'aws', 'azure'] },
  address: { type: 'string', default: 'mqtts://mqtt.bosch-iot-hub.com:8883', describe: 'cloud MQTT address scheme://host:port; TLS for wss, ssl, tls, mqtts, mqtt+ssl, tcps. aws: required (tls://<endpoint>:8883); azure: default mqtts://<HostName>:8883' },
  deviceId: { type: 'string', default: '', describe: 'hono: gateway device ID, namespaced <ns>:<name> (else from provisioningFile). aws: the certificate CN; azure: the connection string' },
  tenantId: { type: 'string', default: '', describe: 'tenant ID (hono: else from provisioningFile; aws: default default-tenant-id; azure: default defaultTenant)' },
  authId: { type: 'string', default: '', describe: 'Hono auth ID; the user name is <authId>@<tenantId>' },
  password: { type: 'string', default: '', describe: 'cloud password (not used with a client certificate)' },
  username: { type: 'string', default: '', describe: 'overrides the computed <authId>@<tenantId>' },
  clientId: { type: 'string', default: '', describe: 'MQTT client ID at the cloud; empty = hono: a random short ID per start, aws: the device ID (azure: always the DeviceId)' },
  policyId: { type: 'string', default: '', describe: 'echoed in edge/thing/response' },
  alpn: { type: 'string[]', default: [] as string[], describe: 'TLS ALPN protocol names' },
  caCert: { type: 'string', default: '', describe: 'PEM CA bundle that signs the cloud server certificate; empty = Node\'s built-in public CAs' },
  cert: { type: 'string', default: '', describe: 'PEM client certificate file; with key, no user name/password is sent (aws: required, CN = device ID)' },
  key: { type: 'string', default: '', describe: 'PEM unencrypted private key file of cert' },
  topicFilter: { type: 'string', default: '', describe: 'aws: regex; twin commands whose Ditto topic matches are not sent to shadows' },
  payloadFilters: { type: 'string[]', default: [] as string[], describe: 'aws: regexes on paths like /features/X/properties/y; matching leaves are removed from shadow updates' },
  connectionString: { type: 'string', default: '', describe: 'azure: HostName=<hub>.azure-devices.net;DeviceId=<id>;SharedAccessKey=<base64> (secret; without the key: X.509 with cert/key)' },
  sasTokenValidity: { type: 'string', default: '1h', describe: 'azure: SAS token validity <n>m|h|d; renewed (reconnect) at 90 %' },
  idScope: { type: 'string', default: '', describe: 'azure: Device Provisioning Service ID scope; accepted, DPS is not implemented' },
  ...localBusSpec,
  provisioningFile: { type: 'string', default: '/etc/ledge/provisioning.json', describe: 'Bosch IoT Suite provisioning.json; watched, changes reconnect' },
  dataDir: { type: 'string', default: '/var/lib/ledge/connector', describe: 'directory of the durable outbox (and of the local twins)' },
  outboxMaxMessages: { type: 'number', default: 100_000, describe: 'messages kept while offline; beyond it telemetry goes first, then the oldest events', min: 1 },
  outboxMaxBytes: { type: 'number', default: 64 * 1024 * 1024, describe: 'bytes (payload + topic) kept while offline; same overflow rule', min: 1024 },
  outboxFsync: { type: 'string', default: 'interval', describe: 'outbox and local-twin durability before the local PUBACK: always/interval = fdatasync (group commit), never = written only', choices: ['always', 'interval', 'never'] },
  localTwins: { type: 'boolean', default: false, describe: "Kanto's local-digital-twins: keep the twin in <dataDir>/twins, answer local twin commands from it (offline too) and synchronise it with the cloud after each connect (on under ledge run --dev)" },
  telemetryQos0Durable: { type: 'boolean', default: false, describe: 'also keep QoS 0 telemetry/events in the outbox (default: at-most-once, dropped while offline)' },
  replayRate: { type: 'number', default: 2000, describe: 'backlog messages per second sent after a reconnect (live traffic is not limited); 0 = unlimited', min: 0 },
  maxInFlight: { type: 'number', default: 256, describe: 'cloud publishes waiting for PUBACK at once', min: 1, max: 65_535 },
  backoffInitial: { type: 'number', default: 60, describe: 'seconds before the first cloud reconnect', validate: positive },
  backoffMax: { type: 'number', default: 240, describe: 'longest reconnect delay, seconds', validate: positive },
  backoffMultiplier: { type: 'number', default: 2, describe: 'reconnect delay growth factor', min: 1 },
  backoffJitter: { type: 'number', default: 0.25, describe: 'reconnect delay randomisation, ± fraction', min: 0, max: 0.99 },
  authErrorRetries: { type: 'number', default: 5, describe: 'authentication refusals (CONNACK 4/5) in a row before giving up', min: 1 },
  connectTimeout: { type: 'number', default: 30, describe: 'seconds to wait for the cloud CONNACK', validate: positive },
  keepAlive: { type: 'number', default: 20, describe: 'cloud MQTT keep-alive, seconds', min: 0, max: 65_535 },
  statusInterval: { type: 'number', default: 10, describe: 'seconds between outbox updates in the retained status (only when changed)', validate: positive },
  provisioningDebounce: { type: 'number', default: 3, describe: 'seconds a provisioning file change must settle', min: 0 },
});

export type ConnectorSpec = typeof connectorSpec;
