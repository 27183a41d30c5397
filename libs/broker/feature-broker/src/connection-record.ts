// What the broker knows about one network connection, from accept to close. Keyed by the stream aedes
// holds (client.conn), so every aedes hook and event can find it.
import type { Client } from 'aedes';
import type { ClientAcl } from './acl';
import type { ConnectionMeta } from './listeners';
import type { DisconnectReason } from './sys-log-lines';

export interface ConnectionRecord {
  readonly meta: ConnectionMeta;
  client?: Client;
  /** From CONNECT (may be '' before aedes generates one), then the id aedes registered. */
  clientId?: string;
  connect?: { level: number; clean: boolean; keepalive: number; username: string | undefined };
  /** The user name after authentication (unverified when no users are configured). */
  username?: string | undefined;
  /** undefined: no ACL configured, everything allowed. */
  acl?: ClientAcl | undefined;
  /** First known reason the connection ends; decides the $SYS notice line. */
  reason?: DisconnectReason;
  socketErrorCode?: string;
}

export interface ConnectionRecords {
  add(conn: object, record: ConnectionRecord): void;
  of(client: Client | null | undefined): ConnectionRecord | undefined;
  /** Every record still open (for shutdown). */
  open(): IterableIterator<ConnectionRecord>;
  remove(record: ConnectionRecord): void;
}

export function createConnectionRecords(): ConnectionRecords {
  const byConn = new WeakMap<object, ConnectionRecord>();
  const live = new Set<ConnectionRecord>();
  return {
    add(conn, record) {
      byConn.set(conn, record);
      live.add(record);
    },
    of: (client) => (client ? byConn.get(client.conn) : undefined),
    open: () => live.values(),
    remove: (record) => void live.delete(record),
  };
}
