// Turns connection and session events into the Mosquitto $SYS log lines and the broker's own JSON log:
// new connection, client connected, subscribe/unsubscribe, and one notice per closed connection worded by
// its first known reason. Unlike Mosquitto, a resumed persistent session also logs its restored
// subscriptions as subscribe lines: the connector forgets a client's subscriptions when it disconnects and
// would otherwise never learn them again (README "$SYS log topics").
import type { Aedes, Client } from 'aedes';
import type { Logger } from '@ledge/util';
import { internals } from './aedes-internals';
import type { ConnectionRecord, ConnectionRecords } from './connection-record';
import type { SysLog } from './sys-log';
import {
  formatClientConnected,
  formatDisconnect,
  formatNewConnection,
  formatSubscribe,
  formatUnsubscribe,
  type DisconnectReason,
} from './sys-log-lines';

export interface SessionLogOptions {
  broker: Aedes;
  records: ConnectionRecords;
  sysLog: SysLog;
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
    for (const sub of subs) {
      if ((sub.qos as number) === 128) continue; // refused: Mosquitto logs only subscriptions it made
      sysLog.emit(formatSubscribe(now(), client.id, sub.qos, sub.topic));
    }
    logger.debug({ clientId: client.id, subscriptions: subs.map((s) => ({ topic: s.topic, qos: s.qos })) }, 'subscribed');
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
