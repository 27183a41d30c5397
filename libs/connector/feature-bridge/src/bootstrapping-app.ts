// The bootstrapping app (Kanto's suite-bootstrapping): a one-shot agent with its own cloud connection as
// the bootstrap identity. It ends when the new provisioning is written (exit 0) or after maxAttempts
// failures (exit 1); the connector, watching its provisioning file, then connects as the real device.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createCloudClient, type CloudClient } from '@ledge/connector/data-access-cloud-mqtt';
import { createHonoProtocol } from '@ledge/connector/model-hono';
import { bootstrappingSpec, type BootstrappingSpec } from '@ledge/connector/model-connector';
import { ConfigError, onlyOnce, parseGoDuration, type App, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { bootstrapFailedError } from './errors';
import { createBootstrapAgent, type ScriptRunner } from './bootstrapping';
import { mergeSettings, parseProvisioning, type CloudSettings } from './provisioning';

export type BootstrappingConfig = ConfigOf<WithCommon<BootstrappingSpec>>;

export interface BootstrappingDeps {
  readonly logger: Logger;
  readonly createCloudClient?: typeof createCloudClient;
  readonly runScript?: ScriptRunner;
}

function readConfigFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`config key '${key}': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key, file: path });
  }
}

/** The bootstrap identity: provisioningFile (if present) with the config's values over it. */
export function bootstrapSettings(config: BootstrappingConfig): CloudSettings {
  let provisioned: Partial<CloudSettings> = {};
  let text: string | undefined;
  try {
    text = readFileSync(config.provisioningFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`config key 'provisioningFile': cannot read ${config.provisioningFile} (${(err as NodeJS.ErrnoException).code})`, { key: 'provisioningFile' });
  }
  if (text !== undefined) {
    const p = parseProvisioning(text);
    if (!p.ok) throw new ConfigError(`config key 'provisioningFile': ${config.provisioningFile} is invalid: ${p.problem}`, { key: 'provisioningFile' });
    provisioned = p.settings;
  }
  const s = mergeSettings(provisioned, { address: config.address, deviceId: config.deviceId, tenantId: config.tenantId, authId: config.authId, password: config.password, username: config.username, policyId: '' }, { address: bootstrappingSpec.address.default });
  if (s.deviceId === '' || s.tenantId === '') throw new ConfigError("config keys 'deviceId', 'tenantId': the bootstrap identity needs both (or a provisioningFile with them)", { key: 'deviceId' });
  return s;
}

/** uid and primary gid of a user from /etc/passwd (no NSS from Node: the gateway's users are local). */
export function lookupUser(name: string, passwd = '/etc/passwd'): { uid: number; gid: number } {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch (err) {
    throw new ConfigError(`config key 'provisioningOwner': cannot read ${passwd} (${(err as NodeJS.ErrnoException).code})`, { key: 'provisioningOwner' });
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!)) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new ConfigError(`config key 'provisioningOwner': no user '${name}' in ${passwd}`, { key: 'provisioningOwner' });
}

function scriptRunner(timeoutMs: number): ScriptRunner {
  return (argv) =>
    new Promise((resolve, reject) => {
      execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve();
        const tail = `${stderr}${stdout}`.trim().slice(-400);
        reject(bootstrapFailedError(`${argv.join(' ')}: ${err.killed ? `killed (${err.signal ?? 'timeout'})` : `exit code ${String(err.code)}`}${tail ? `: ${tail}` : ''}`));
      });
    });
}

export function createBootstrappingApp(config: BootstrappingConfig, deps: BootstrappingDeps): App {
  const s = bootstrapSettings(config);
  const certAuth = config.cert !== '' && config.key !== '';
  const username = s.username || (s.authId ? `${s.authId}@${s.tenantId}` : '');
  const cloud: CloudClient = (deps.createCloudClient ?? createCloudClient)({
    address: s.address,
    clientId: config.clientId || `ledge-bootstrap-${randomBytes(4).toString('hex')}`,
    ...(config.caCert ? { ca: readConfigFile('caCert', config.caCert) } : {}),
    ...(certAuth ? { cert: readConfigFile('cert', config.cert), key: readConfigFile('key', config.key) } : { ...(username ? { username } : {}), ...(s.password ? { password: s.password } : {}) }),
    alpn: config.alpn,
    keepaliveSeconds: config.keepAlive,
    connectTimeoutMs: config.connectTimeout * 1000,
    backoff: { initialMs: 5_000, maxMs: 60_000 },
    logger: deps.logger,
  });
  const agent = createBootstrapAgent(
    {
      deviceId: s.deviceId,
      tenantId: s.tenantId,
      chunkBytes: config.chunkSize,
      preBootstrapFile: config.preBootstrapFile,
      preBootstrapScript: config.preBootstrapScript,
      postBootstrapFile: config.postBootstrapFile,
      postBootstrapScript: config.postBootstrapScript,
      bootstrapProvisioningFile: config.bootstrapProvisioningFile,
      responseTimeoutMs: parseGoDuration(config.responseTimeout)!,
      maxAttempts: config.maxAttempts,
      retryDelayMs: parseGoDuration(config.retryDelay)!,
      maxFileBytes: config.maxFileSize,
      ...(config.provisioningOwner ? { provisioningOwner: lookupUser(config.provisioningOwner) } : {}),
    },
    { cloud, protocol: createHonoProtocol(), runScript: deps.runScript ?? scriptRunner(parseGoDuration(config.scriptTimeout)!), logger: deps.logger },
  );
  return {
    finished: agent.done,
    async start() {
      deps.logger.info({ deviceId: s.deviceId, tenantId: s.tenantId, address: s.address, certAuth }, 'bootstrapping: connecting to the cloud');
      agent.start();
    },
    close: onlyOnce(() => agent.close()),
  };
}

export const bootstrappingEntry: AppEntry<BootstrappingSpec> = {
  name: 'bootstrapping',
  summary: 'Ledge bootstrapping: obtains the device\'s provisioning with a bootstrap identity (Kanto suite-bootstrapping compatible) and writes it for the connector; exits when done',
  spec: bootstrappingSpec,
  create: (config, { logger }) => createBootstrappingApp(config, { logger }),
};
