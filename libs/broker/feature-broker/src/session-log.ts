// Turns connection and session events into the Mosquitto $SYS log lines and the broker's own JSON log:
// new connection, client connected, subscribe/unsubscribe, and one notice per closed connection worded by
// its first known reason. Unlike Mosquitto, a resumed persistent session also logs its restored
// subscriptions as subscribe lines: the connector forgets a client's subscriptions when it disconnects and
// would otherwise never learn them again (README "$SYS log topics"). Also unlike Mosquitto, a client that
// starts reading the subscribe lines gets, for itself only, one line per subscription every other connected
// client holds already: a connector that starts (or restarts) after container management subscribed to its
// sub-device's commands learns that subscription without waiting for container management to subscribe again.
import type { Aedes, Client } from 'aedes';
import type { Logger } from '@ledge/shared/util';
import { matchValidTopic } from '@ledge/shared/model-mqtt';
import { internals, registeredClients } from './aedes-internals';
import type { ConnectionRecord, ConnectionRecords } from './connection-record';
import type { SysLog } from './sys-log';
import {
  formatClientConnected,
  formatDisconnect,
  formatNewConnection,
  formatSubscribe,
  formatUnsubscribe,
  SYS_LOG_TOPICS,
  type DisconnectReason,
} from './sys-log-lines';

export interface SessionLogOptions {
  broker: Aedes;
  records: ConnectionRecords;
  sysLog: SysLog;
  /** Whether the subscribe lines are enabled (config `sysLog`): only then are current subscriptions replayed. */
  replaySubscriptions: boolean;
  logger: Logger;
  now?: () => number;
}

export interface SessionLog {
  accepted(record: ConnectionRecord): void;
  closed(record: ConnectionRecord): void;
}

const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function errorReason(err: Error): DisconnectReason {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && code.startsWith('E')) return PEER_GONE.has(code) ? 'closed' : 'socket-error';
  if (err.message === 'connect did not arrive in time' || err.message === 'keep alive timeout') return 'keepalive';
  return 'protocol';
}

export function attachSessionLog(options: SessionLogOptions): SessionLog {
  const { broker, records, sysLog } = options;
  const logger = options.logger.child({ component: 'sessions' });
  const now = options.now ?? Date.now;

  const setReason = (client: Client | null | undefined, reason: DisconnectReason) => {
    const rec = records.of(client);
    if (rec) rec.reason ??= reason;
  };

  const readsSubscribeLines = (filters: readonly string[]) => filters.some((f) => matchValidTopic(f, SYS_LOG_TOPICS.subscribe));
  // Written straight to the reader, in the format of the live lines: before any live line published later
  // (both go out through setImmediate, the live ones after the $SYS chain and aedes' routing), and without
  // repeating anything to readers that saw the live lines already. The reader's ACL still applies (aedes'
  // authorizeForward runs for each line).
  const replay = (reader: Client) => {
    const lines: string[] = [];
    for (const other of registeredClients(broker)) {
      if (other === reader) continue;
      const subs = internals(other).subscriptions;
      for (const filter of Object.keys(subs)) lines.push(formatSubscribe(now(), other.id, subs[filter]!.qos, filter).text);
    }
    const deliver = internals(reader).deliver0;
    for (const text of lines) {
      deliver({ cmd: 'publish', topic: SYS_LOG_TOPICS.subscribe, payload: Buffer.from(text, 'utf8'), qos: 0, retain: false, dup: false }, () => undefined);
    }
    logger.debug({ clientId: reader.id, subscriptions: lines.length }, 'current subscriptions replayed');
  };

  broker.on('client', (client) => {
    const rec = records.of(client);
    if (!rec) return;
    rec.clientId = client.id;
    const c = rec.connect;
    const fields = { clientId: client.id, address: rec.meta.address, port: rec.meta.port, protocol: rec.meta.protocol, username: rec.username };
    logger.info({ ...fields, clean: c?.clean, keepalive: c?.keepalive }, 'client connected');
    sysLog.emit(
      formatClientConnected(now(), {
        address: rec.meta.address,
        port: rec.meta.port,
        clientId: client.id,
        protocolLevel: c?.level ?? 4,
        clean: c?.clean ?? true,
        keepalive: c?.keepalive ?? 0,
        username: c?.username,
      }),
    );
    // aedes registers the client after restoring a persistent session's subscriptions and before its
    // CONNACK, so no SUBSCRIBE of this connection has been handled yet: these are the restored ones
    const subs = internals(client).subscriptions;
    for (const filter of Object.keys(subs)) sysLog.emit(formatSubscribe(now(), client.id, subs[filter]!.qos, filter));
  });

  broker.on('subscribe', (subs, client) => {
    const granted = subs.filter((sub) => (sub.qos as number) !== 128); // Mosquitto logs only subscriptions it made
    for (const sub of granted) sysLog.emit(formatSubscribe(now(), client.id, sub.qos, sub.topic));
    logger.debug({ clientId: client.id, subscriptions: subs.map((s) => ({ topic: s.topic, qos: s.qos })) }, 'subscribed');
    if (options.replaySubscriptions && readsSubscribeLines(granted.map((sub) => sub.topic))) replay(client);
  });
  // A resumed session that reads the lines: after its CONNACK (nothing may be written before it).
  broker.on('clientReady', (client) => {
    if (options.replaySubscriptions && readsSubscribeLines(Object.keys(internals(client).subscriptions))) replay(client);
  });

  broker.on('unsubscribe', (topics, client) => {
    if (client.closed) return; // aedes reports a closing clean session's subscriptions too; Mosquitto does not
    for (const topic of topics) sysLog.emit(formatUnsubscribe(now(), client.id, topic));
    logger.debug({ clientId: client.id, topics }, 'unsubscribed');
  });

  broker.on('keepaliveTimeout', (client) => setReason(client, 'keepalive'));
  broker.on('clientError', (client, err) => {
    setReason(client, errorReason(err));
    logger.debug({ clientId: client.id, err }, 'client error');
  });
  broker.on('connectionError', (client, err) => {
    setReason(client, errorReason(err));
    logger.debug({ err }, 'connection error');
  });

  return {
    accepted(rec) {
      logger.debug({ address: rec.meta.address, port: rec.meta.port, protocol: rec.meta.protocol }, 'connection accepted');
      sysLog.emit(formatNewConnection(now(), rec.meta.address, rec.meta.port, rec.meta.listenerPort));
    },
    closed(rec) {
      records.remove(rec);
      let reason = rec.reason;
      if (reason === undefined) {
        if (rec.client && internals(rec.client)._disconnected) reason = 'disconnect';
        else if (rec.socketErrorCode !== undefined && !PEER_GONE.has(rec.socketErrorCode)) reason = 'socket-error';
        else reason = 'closed';
      }
      if (rec.clientId !== undefined || reason !== 'closed') {
        logger.info({ clientId: rec.clientId, address: rec.meta.address, reason }, 'client disconnected');
      }
      sysLog.emit(formatDisconnect(now(), rec.clientId, reason));
    },
  };
}
