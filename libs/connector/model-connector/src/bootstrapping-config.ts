// The bootstrapping agent's config: suite-bootstrapping's keys (the cloud connection as the connector
// names them, the pre/post-bootstrap files and scripts, provisioningFile = the bootstrap identity,
// bootstrapProvisioningFile = where the real one goes, chunkSize) plus Ledge's limits and timeouts.
import { defineConfig, MAX_TIMER_MS, parseGoDuration } from '@ledge/shared/util';

const duration = (v: unknown) => {
  const ms = typeof v === 'string' ? parseGoDuration(v) : undefined;
  return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS ? undefined : 'expected a duration like 30s, 5m (at most 596h)';
};

export const bootstrappingSpec = defineConfig({
  address: { type: 'string', default: 'mqtts://mqtt.bosch-iot-hub.com:8883', describe: 'cloud MQTT address of the bootstrap connection (Hono / Bosch IoT Suite)' },
  deviceId: { type: 'string', default: '', describe: 'bootstrap device ID <ns>:<name> (else from provisioningFile)' },
  tenantId: { type: 'string', default: '', describe: 'bootstrap tenant ID (else from provisioningFile)' },
  authId: { type: 'string', default: '', describe: 'bootstrap auth ID; the user name is <authId>@<tenantId>' },
  password: { type: 'string', default: '', describe: 'bootstrap password (not used with a client certificate)' },
  username: { type: 'string', default: '', describe: 'overrides the computed <authId>@<tenantId>' },
  clientId: { type: 'string', default: '', describe: 'MQTT client ID at the cloud; empty = a random one' },
  caCert: { type: 'string', default: '', describe: 'PEM CA bundle that signs the cloud server certificate; empty = Node\'s built-in public CAs' },
  cert: { type: 'string', default: '', describe: 'PEM client certificate file of the bootstrap identity (with key)' },
  key: { type: 'string', default: '', describe: 'PEM unencrypted private key file of cert' },
  alpn: { type: 'string[]', default: [] as string[], describe: 'TLS ALPN protocol names' },
  provisioningFile: { type: 'string', default: '/etc/ledge/bootstrap-provisioning.json', describe: 'provisioning.json of the bootstrap identity (read if present; config values override it)' },
  bootstrapProvisioningFile: { type: 'string', default: '/etc/ledge/provisioning.json', describe: 'where the provisioning from the response is written (0600, atomically; the old one kept as <file>.previous): the connector\'s provisioningFile' },
  provisioningOwner: { type: 'string', default: '', describe: 'user name that gets the written provisioning (with its primary group; mode stays 0600): the connector\'s user when this agent runs as root; empty = the agent\'s own user' },
  preBootstrapFile: { type: 'string', default: '', describe: 'file sent with the request in base64 chunks (after preBootstrapScript ran); empty or missing = the request ID only' },
  preBootstrapScript: { type: 'string[]', default: [] as string[], describe: 'command and arguments run before the request (e.g. to write preBootstrapFile)' },
  postBootstrapFile: { type: 'string', default: '', describe: 'where the response chunks are written once their hash matches' },
  postBootstrapScript: { type: 'string[]', default: [] as string[], describe: 'command and arguments run after the response\'s hash matched, before the provisioning is written' },
  chunkSize: { type: 'number', default: 45 * 1024, describe: 'bytes of preBootstrapFile per request message', min: 1, max: 1024 * 1024 },
  maxFileSize: { type: 'number', default: 16 * 1024 * 1024, describe: 'largest pre- and post-bootstrap file, bytes', min: 1 },
  responseTimeout: { type: 'string', default: '5m', describe: 'a request without a final response in this time has failed', validate: duration },
  maxAttempts: { type: 'number', default: 3, describe: 'failed requests before the agent gives up (exit code 1)', min: 1, max: 100 },
  retryDelay: { type: 'string', default: '10s', describe: 'wait before the next request after a failed one', validate: duration },
  scriptTimeout: { type: 'string', default: '10m', describe: 'a pre/post-bootstrap script running longer is killed and the request fails', validate: duration },
  connectTimeout: { type: 'number', default: 30, describe: 'seconds to wait for the cloud CONNACK', min: 1 },
  keepAlive: { type: 'number', default: 20, describe: 'cloud MQTT keep-alive, seconds', min: 0, max: 65_535 },
});

export type BootstrappingSpec = typeof bootstrappingSpec;
