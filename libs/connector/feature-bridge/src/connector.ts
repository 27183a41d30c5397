// The connector app: config + provisioning → identity and cloud connection settings; a bridge that
// outlives provisioning changes (outbox and local bus stay up, the cloud link is rebuilt). Idle with
// PROVISIONING_MISSING when there is nothing to connect to (that is how `npm start` runs it).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudProtocol, ConnectorMode } from '@ledge/connector/model-connector';
import { createCloudClient, type CloudClient, type CloudClientInit } from '@ledge/connector/data-access-cloud-mqtt';
import { ConnectionCauses, type ThingIdentity } from '@ledge/shared/model-edge';
import { ConfigError, onlyOnce, withDefaults, type App, type AppEntry, type ConfigOf, type Logger, type WithCommon } from '@ledge/shared/util';
import { localBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { createBridge } from './bridge';
import { defaultBridgeOptions, type BridgeIo } from './bridge-options';
import { connectorSpec, type ConnectorSpec } from './config';
import { provisioningInvalidError, tlsFileError, unknownModeError } from './errors';
import { checkModeConfig } from './mode-config';
import { createProvisioningWatcher } from './provisioning-watcher';
import { mergeSettings, parseProvisioning, type CloudSettings } from './provisioning';

export type ConnectorConfig = ConfigOf<WithCommon<ConnectorSpec>>;
/** What a protocol factory may use besides the config. */
export interface ModeEnv {
  /** Reads a file named by config key `key`; throws a ConfigError naming the key (exit code 2). */
  readFile(key: string, path: string): Buffer;
  /** Epoch ms. */
  now(): number;
  /** The connector's logger (a protocol's debug notes, e.g. Azure twin leaves left out). */
  readonly logger: Logger;
}
/** A bare protocol (Hono-style identity: provisioning.json + config) or a mode with its own endpoint (aws, azure). */
export type ProtocolFactory = (config: ConnectorConfig, env: ModeEnv) => CloudProtocol | ConnectorMode;
/** `mode` → protocol. The app passes `{ hono: …, aws: …, azure: … }`. */
export type ProtocolRegistry = Readonly<Record<string, ProtocolFactory>>;

export const LOCAL_CLIENT_ID = 'ledge-connector';

/** Builds one cloud connection (a new one after every provisioning change). */
export type CloudClientFactory = (init: CloudClientInit) => CloudClient;

/** The connector's I/O: the bridge's (outbox, local bus, clock, timers) and the cloud client factory. */
export interface ConnectorIo extends BridgeIo {
  readonly createCloudClient: CloudClientFactory;
}

export interface ConnectorDeps extends Partial<ConnectorIo> {
  readonly logger: Logger;
  readonly protocols: ProtocolRegistry;
}

export const defaultConnectorDeps: Readonly<ConnectorIo> = Object.freeze({ ...defaultBridgeOptions, createCloudClient });

type Resolved = { ok: true; settings: CloudSettings } | { ok: false; cause: 'PROVISIONING_MISSING' | 'PROVISIONING_ERROR'; problem: string };

export function createConnector(config: ConnectorConfig, options: ConnectorDeps): App {
  const deps = withDefaults(defaultConnectorDeps, options);
  const log = deps.logger.child({ component: 'connector' });
  const warnings = checkModeConfig(config);
  const factory = deps.protocols[config.mode];
  if (factory === undefined) throw unknownModeError(config.mode, Object.keys(deps.protocols));
  const readConfigFile = (key: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`config key '${key}': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key, file: path });
    }
  };
  const made = factory(config, { readFile: readConfigFile, now: () => deps.clock.now(), logger: log });
  const mode: ConnectorMode = 'protocol' in made ? made : { protocol: made };
  const protocol = mode.protocol;
  const endpoint = mode.endpoint;
  const file = (key: string, path: string): Buffer | undefined => {
    if (path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw tlsFileError(key, path, err);
    }
  };
  const bridge = createBridge({
    protocol,
    local: {
      ...localBusClientOptions(config),
      backoff: { initialMs: 1000, maxMs: 5000 },
    },
    localClientId: LOCAL_CLIENT_ID,
    outboxDir: join(config.dataDir, 'outbox'),
    outboxMaxMessages: config.outboxMaxMessages,
    outboxMaxBytes: config.outboxMaxBytes,
    outboxFsync: config.outboxFsync as 'always' | 'interval' | 'never',
    replayRate: config.replayRate,
    maxInFlight: config.maxInFlight,
    telemetryQos0Durable: config.telemetryQos0Durable,
    localTwins: config.localTwins,
    twinsDir: join(config.dataDir, 'twins'),
    statusIntervalMs: config.statusInterval * 1000,
    logger: deps.logger,
    createOutbox: deps.createOutbox,
    createTwinRecords: deps.createTwinRecords,
    newId: deps.newId,
    createLocalBus: deps.createLocalBus,
    clock: deps.clock,
    scheduler: deps.scheduler,
  });
  const defaults = { address: connectorSpec.address.default };
  const configured: CloudSettings = {
    address: config.address,
    deviceId: config.deviceId,
    tenantId: config.tenantId,
    authId: config.authId,
    password: config.password,
    username: config.username,
    policyId: config.policyId,
  };

  async function resolve(): Promise<Resolved> {
    let text: string | undefined;
    try {
      text = await readFile(config.provisioningFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, cause: 'PROVISIONING_ERROR', problem: (err as Error).message };
    }
    let provisioned: Partial<CloudSettings> = {};
    if (text !== undefined) {
      const p = parseProvisioning(text);
      if (!p.ok) return { ok: false, cause: 'PROVISIONING_ERROR', problem: p.problem };
      provisioned = p.settings;
    }
    const settings = mergeSettings(provisioned, configured, defaults);
    if (settings.deviceId === '' || settings.tenantId === '') return { ok: false, cause: 'PROVISIONING_MISSING', problem: 'no deviceId/tenantId' };
    return { ok: true, settings };
  }

  function cloudOptions(): Omit<CloudClientInit, 'address' | 'clientId'> {
    const certAuth = config.cert !== '' && config.key !== '';
    return {
      ...(config.caCert ? { ca: file('caCert', config.caCert) } : {}),
      ...(certAuth ? { cert: file('cert', config.cert), key: file('key', config.key) } : {}),
      alpn: config.alpn,
      keepaliveSeconds: config.keepAlive,
      connectTimeoutMs: config.connectTimeout * 1000,
      authErrorRetries: config.authErrorRetries,
      backoff: { initialMs: config.backoffInitial * 1000, maxMs: config.backoffMax * 1000, multiplier: config.backoffMultiplier, jitter: config.backoffJitter },
      logger: deps.logger,
      now: () => deps.clock.now(),
    };
  }

  async function connect(): Promise<void> {
    if (endpoint !== undefined) {
      // aws / azure: identity and credentials from the certificate or connection string, no provisioning file.
      const id = endpoint.identity;
      const identity: ThingIdentity = { deviceId: id.deviceId, tenantId: id.tenantId, ...(id.policyId ? { policyId: id.policyId } : {}) };
      const cloud = deps.createCloudClient({
        ...cloudOptions(),
        address: endpoint.address,
        clientId: endpoint.clientId,
        ...(endpoint.credentials ? { credentials: endpoint.credentials } : {}),
      });
      log.info({ mode: config.mode, deviceId: id.deviceId, tenantId: id.tenantId, address: endpoint.address, clientId: endpoint.clientId, certAuth: config.cert !== '' }, 'connecting to the cloud');
      bridge.attachCloud(cloud, identity);
      return;
    }
    const r = await resolve();
    if (!r.ok) {
      const err = r.cause === 'PROVISIONING_ERROR' ? provisioningInvalidError(config.provisioningFile, r.problem) : undefined;
      log.warn({ ...(err ? { err } : {}), cause: r.cause, file: config.provisioningFile, problem: r.problem }, 'not connecting to the cloud');
      await bridge.setCause(ConnectionCauses[r.cause]);
      return;
    }
    const s = r.settings;
    const identity: ThingIdentity = { deviceId: s.deviceId, tenantId: s.tenantId, ...(s.policyId ? { policyId: s.policyId } : {}) };
    const certAuth = config.cert !== '' && config.key !== '';
    const username = s.username || (s.authId ? `${s.authId}@${s.tenantId}` : '');
    const cloud = deps.createCloudClient({
      ...cloudOptions(),
      address: s.address,
      clientId: config.clientId || `ledge-${randomBytes(4).toString('hex')}`,
      ...(certAuth ? {} : { ...(username ? { username } : {}), ...(s.password ? { password: s.password } : {}) }),
    });
    log.info({ mode: config.mode, deviceId: s.deviceId, tenantId: s.tenantId, address: s.address, certAuth }, 'connecting to the cloud');
    guardNewProvisioning(cloud);
    bridge.attachCloud(cloud, identity);
  }

  // A provisioning that replaced a working one while running (bootstrapping writes the old one to
  // <file>.previous) and that the cloud refuses before it ever connected is undone: the previous file
  // comes back, the watcher sees the change and the connector reconnects with it. Never at start (an
  // auth outage of a long-working identity must not swap it for an older one), once per change.
  let changedWhileRunning = false;
  let provenSinceChange = false;
  function guardNewProvisioning(cloud: CloudClient): void {
    cloud.on('connected', () => void (provenSinceChange = true));
    const refused = ({ cause }: { cause: string }) => {
      if (cause !== ConnectionCauses.CONNECTION_NOT_AUTHENTICATED || !changedWhileRunning || provenSinceChange) return;
      changedWhileRunning = false;
      void fallBack().catch((err: unknown) => log.error({ err }, 'cannot go back to the previous provisioning'));
    };
    cloud.on('disconnected', refused);
    cloud.on('stopped', refused);
  }
  async function fallBack(): Promise<void> {
    const previous = `${config.provisioningFile}.previous`;
    if (!(await access(previous).then(() => true, () => false))) return;
    log.warn({ file: config.provisioningFile, previous }, 'the cloud refuses the new provisioning: going back to the previous one');
    await rename(previous, config.provisioningFile);
  }

  let chain = Promise.resolve();
  const watcher = createProvisioningWatcher({
    file: config.provisioningFile,
    debounceMs: config.provisioningDebounce * 1000,
    pollMs: 2_000,
    logger: log,
    onChange: () => {
      changedWhileRunning = true;
      provenSinceChange = false;
      chain = chain.then(async () => {
        await bridge.detachCloud(ConnectionCauses.PROVISIONING_UPDATE);
        await connect();
      }).catch((err: unknown) => log.error({ err }, 'reconnect after a provisioning change failed'));
    },
  });

  return {
    async start() {
      for (const warning of warnings) log.warn({ mode: config.mode }, warning);
      await bridge.start();
      try {
        if (endpoint === undefined) await watcher.start();
      } catch (err) {
        log.error({ err }, 'cannot watch the provisioning file');
        await bridge.setCause(ConnectionCauses.CONFIG_ERROR);
      }
      try {
        await connect();
      } catch (err) {
        log.error({ err }, 'cannot connect to the cloud: bad configuration');
        await bridge.setCause(ConnectionCauses.CONFIG_ERROR);
      }
    },
    close: onlyOnce(async () => {
      watcher.close();
      await chain;
      await bridge.close();
    }),
  };
}

/** The AppEntry for `main()` and `ledge run`; the caller supplies the protocol registry. */
export function createConnectorEntry(protocols: ProtocolRegistry): AppEntry<ConnectorSpec> {
  return {
    name: 'connector',
    summary: 'Ledge connector: bridges the local bus to the cloud (Hono / Bosch IoT Suite, AWS IoT Core, Azure IoT Hub) with a durable outbox',
    spec: connectorSpec,
    create: (config, { logger }) => createConnector(config, { logger, protocols }),
    devDefaults: (devDir) => ({ dataDir: join(devDir, 'connector'), provisioningFile: join(devDir, 'connector', 'provisioning.json'), localTwins: true }),
  };
}
