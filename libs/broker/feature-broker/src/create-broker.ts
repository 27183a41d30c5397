// The local MQTT bus: aedes behind the connection guard, with auth, ACLs, the $SYS log and the delivery QoS
// fix, on the configured persistence. start() opens the persistence, then the listeners; close() stops
// intake, closes clients and aedes, then flushes and closes the persistence. close() is idempotent.
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { createCloser, onlyOnce, type App, type Logger } from '@ledge/shared/util';
import { parseAclRules, type AclRule } from './acl';
import { parseAclFile } from './acl-file';
import { forgetWill, internals, registeredClient } from './aedes-internals';
import { createAuthenticator } from './auth';
import { createBrokerHealth, type BrokerHealth } from './broker-health';
import type { BrokerSettings, SysLogType } from './config';
import { createConnectionRecords, type ConnectionRecord } from './connection-record';
import { ConnectionGuard, type Refusal } from './connection-guard';
import { routeDeliveries } from './delivery-qos';
import { brokerConfigError, persistenceError } from './errors';
import { createHooks } from './hooks';
import { createRedeliveryTracker, type TrackedPacket } from './redelivery';
import { LedgeAedes } from './ledge-aedes';
import { createListeners, type ConnectionMeta, type ListenerAddress, type Listeners } from './listeners';
import { declareSessions, type DurableSession, type SessionStore } from './durable-sessions';
import { healthOwners, ledgeAclActive, type LedgeAclMode } from './ledge-acl';
import { installPacketReader } from './packet-reader';
import { parsePasswordFile, type UserEntry } from './passwords';
import { defaultPersistenceFactory, type BrokerPersistence, type PersistenceFactory } from './persistence';
import { attachSessionLog, type SessionLog } from './session-log';
import { createSysLog, type SysLog } from './sys-log';

export interface BrokerDeps {
  logger: Logger;
  /** Replaces the persistence chosen by config `persistence`. */
  persistenceFactory?: PersistenceFactory;
  readFile?: (path: string) => string;
  now?: () => number;
}

export interface Broker extends App {
  /** The bound listeners (real ports), once started. */
  addresses(): readonly ListenerAddress[];
}

/** users + passwordFile, acl + aclFile: read and checked once, at start. */
function loadAccess(config: BrokerSettings, readFile: (path: string) => string): { users: UserEntry[]; acl: AclRule[] } {
  const users = [...(config.users as UserEntry[])];
  const read = (key: string, path: string) => {
    try {
      return readFile(path);
    } catch (err) {
      throw brokerConfigError(`${key} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
    }
  };
  if (config.passwordFile) {
    const parsed = parsePasswordFile(read('passwordFile', config.passwordFile));
    if (typeof parsed === 'string') throw brokerConfigError(`passwordFile ${config.passwordFile}: ${parsed}`);
    for (const u of parsed) {
      if (users.some((x) => x.username === u.username)) throw brokerConfigError(`user ${JSON.stringify(u.username)} is in both users and passwordFile`);
      users.push(u);
    }
  }
  const acl = parseAclRules(config.acl);
  if (typeof acl === 'string') throw brokerConfigError(`acl: ${acl}`);
  if (config.aclFile) {
    const parsed = parseAclFile(read('aclFile', config.aclFile));
    if (typeof parsed === 'string') throw brokerConfigError(`aclFile ${config.aclFile}: ${parsed}`);
    acl.push(...parsed);
  }
  return { users, acl };
}

export function createBroker(config: BrokerSettings, deps: BrokerDeps): Broker {
  const logger = deps.logger.child({ component: 'broker' });
  const closer = createCloser(logger);
  const records = createConnectionRecords();
  let bound: ListenerAddress[] = [];
  let closing = false;
  let starting: Promise<void> | undefined;
  let persistence: BrokerPersistence | undefined;
  let aedes: LedgeAedes | undefined;
  let sysLog: SysLog | undefined;
  let listeners: Listeners | undefined;
  let health: BrokerHealth | undefined;

  // Close steps run in reverse order of registration: stop intake, finish the $SYS lines, close clients
  // and aedes, end leftover sockets, then flush and close the persistence.
  closer.add('persistence', async () => {
    await new Promise((r) => setImmediate(r)); // let the last persistence calls of closing clients start
    await persistence?.destroy?.();
  });
  closer.add('sockets', () => listeners?.close());
  closer.add('aedes', async () => {
    const broker = aedes;
    if (!broker) return;
    // Wills stay stored instead of being published by a shutdown: a client that does not come back to
    // the restarted broker has its will published then (aedes' will sweep), as after a crash.
    for (const rec of records.open()) {
      rec.reason = 'shutdown';
      if (rec.client) forgetWill(rec.client);
    }
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });
  closer.add('sys log', () => sysLog?.close());
  closer.add('intake', () => {
    closing = true;
    listeners?.stopAccepting();
  });
  // First of all: the broker's own `down` (stopped), while aedes still routes and stores it.
  closer.add('health', async () => {
    await health?.stop();
  });

  const accept = (stream: Duplex, meta: ConnectionMeta, broker: LedgeAedes, sessions: SessionLog) => {
    if (closing) {
      stream.destroy();
      return;
    }
    const rec: ConnectionRecord = { meta };
    const onRefused = (refusal: Refusal) => {
      rec.reason = refusal.kind === 'connack' ? 'protocol' : refusal.reason;
      const returnCode = refusal.kind === 'connack' ? refusal.returnCode : undefined;
      const fields = { clientId: rec.clientId, address: meta.address, rule: refusal.rule, detail: refusal.detail, returnCode };
      // a client that got as far as CONNECT is worth a warning; scanners and garbage are not
      if (rec.connect || returnCode !== undefined) logger.warn(fields, 'packet refused, closing connection');
      else logger.debug(fields, 'packet refused, closing connection');
    };
    const guard = new ConnectionGuard(stream, { maxPacketSize: config.maxPacketSize, onRefused });
    records.add(guard, rec);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      rec.socketErrorCode ??= err.code ?? 'ERROR';
    });
    stream.once('close', () => sessions.closed(rec));
    sessions.accepted(rec);
    const client = broker.handle(guard);
    rec.client = client;
    routeDeliveries(internals(client));
    installPacketReader(internals(client)._parser);
  };

  const run = async () => {
    const { users, acl } = loadAccess(config, deps.readFile ?? ((p) => readFileSync(p, 'utf8')));
    const ledgeAclOn = ledgeAclActive(config.ledgeAcl as LedgeAclMode, users.map((u) => u.username));
    if (!ledgeAclOn) logger.warn({ ledgeAcl: config.ledgeAcl }, 'local bus open: any local client may publish cloud commands (docs/security.md)');
    const factory = deps.persistenceFactory ?? defaultPersistenceFactory(config.persistence);
    persistence = factory({
      dir: config.dataDir,
      logger: deps.logger,
      maxQueuedPerClient: config.maxQueuedMessages,
      maxQueuedBytes: config.maxQueuedBytes,
      fsync: config.fsync as 'always' | 'interval' | 'never',
      fsyncIntervalMs: config.fsyncInterval,
    });
    const redelivery = createRedeliveryTracker();
    const hooks = createHooks({
      authenticator: createAuthenticator({ users, allowAnonymous: config.allowAnonymous, allowAnonymousRemote: config.allowAnonymousRemote }),
      aclRules: acl,
      ledgeAcl: ledgeAclOn,
      healthOwners: healthOwners(users.map((u) => u.username)),
      records,
      logger: deps.logger.child({ component: 'access' }),
      drop: (packet) => aedes?.drop(packet),
      clientById: (id) => (aedes ? registeredClient(aedes, id) : undefined),
      redelivery,
    });
    const broker = new LedgeAedes({ persistence, connectTimeout: config.connectTimeout * 1000, ...hooks });
    // aedes emits 'error' for persistence failures; unhandled it would end the process
    (broker as unknown as NodeJS.EventEmitter).on('error', (err: Error) => logger.error({ err }, 'broker error'));
    try {
      await broker.listen();
    } catch (err) {
      throw persistenceError(err);
    }
    aedes = broker;
    // Before the listeners: nothing published at boot may miss a declared session (issue 17).
    const declared = config.durableSessions as DurableSession[];
    if (declared.length > 0) {
      const added = await declareSessions(persistence as unknown as SessionStore, declared);
      logger.info({ sessions: declared.map((s) => s.clientId), subscriptionsAdded: added }, 'durable sessions declared');
    }
    broker.on('ack', (packet, client) => {
      if (!client.clean) redelivery.acknowledged(client.id, packet as TrackedPacket | undefined);
    });
    broker.on('client', (client) => {
      if (client.clean) redelivery.forget(client.id);
    });
    const log = createSysLog({
      types: config.sysLog as SysLogType[],
      logger: deps.logger,
      publish: (topic, payload) =>
        new Promise((resolve, reject) =>
          broker.publish({ cmd: 'publish', topic, payload, qos: 2, retain: false, dup: false }, (err?: Error) => (err ? reject(err) : resolve())),
        ),
    });
    sysLog = log;
    const sessions = attachSessionLog({ broker, records, sysLog: log, replaySubscriptions: (config.sysLog as SysLogType[]).includes('subscribe'), logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) });
    listeners = createListeners({ ...config, logger: deps.logger, onConnection: (stream, meta) => accept(stream, meta, broker, sessions) });
    if (closing) return;
    bound = await listeners.start();
    const store = persistence as unknown as { stats?: () => { sessions?: number; queued?: number } };
    health = createBrokerHealth({ broker, storeStats: () => store.stats?.(), now: deps.now ?? Date.now, logger: logger });
    await health.start();
    const persistenceKind = deps.persistenceFactory ? 'injected' : config.persistence;
    logger.info({ persistence: persistenceKind, dataDir: config.dataDir, users: users.length, aclRules: acl.length, ledgeAcl: ledgeAclOn }, 'broker started');
  };

  return {
    start: () => (starting ??= run()),
    close: onlyOnce(async () => {
      closing = true;
      if (starting) await starting.catch(() => undefined);
      await closer.close();
      logger.info('broker stopped');
    }),
    addresses: () => bound,
  };
}
