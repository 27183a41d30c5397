// Mosquitto's `log_dest topic` lines, byte for byte (checked against mosquitto 2.0.11 with
// log_type notice|subscribe|unsubscribe). suite-connector parses them (routing/subscription.go) to learn
// which local clients subscribe to command topics, so the wording and the `<unix seconds>: ` prefix are a
// wire contract. Pure: the publisher is in sys-log.ts.
import type { SysLogType } from './config';

export const SYS_LOG_TOPICS: Readonly<Record<SysLogType, string>> = Object.freeze({
  notice: '$SYS/broker/log/N',
  subscribe: '$SYS/broker/log/M/subscribe',
  unsubscribe: '$SYS/broker/log/M/unsubscribe',
});

/** How a connection ended, as Mosquitto words it in the notice line. */
export type DisconnectReason =
  | 'disconnect' // DISCONNECT packet
  | 'closed' // the peer closed the socket (or reset it)
  | 'socket-error' // other socket errors
  | 'keepalive'
  | 'protocol'
  | 'malformed'
  | 'oversize'
  | 'auth'
  | 'takeover' // another connection took the client id: Mosquitto writes no notice line
  | 'shutdown'; // the broker is closing: no line either

export interface SysLogLine {
  type: SysLogType;
  text: string;
}

const stamp = (nowMs: number) => `${Math.floor(nowMs / 1000)}: `;

export function formatNewConnection(nowMs: number, address: string, port: number, listenerPort: number): SysLogLine {
  return { type: 'notice', text: `${stamp(nowMs)}New connection from ${address}:${port} on port ${listenerPort}.` };
}

export interface ConnectedClient {
  address: string;
  port: number;
  clientId: string;
  /** 3 (MQTT 3.1) or 4 (MQTT 3.1.1). */
  protocolLevel: number;
  clean: boolean;
  keepalive: number;
  username?: string | undefined;
}

export function formatClientConnected(nowMs: number, c: ConnectedClient): SysLogLine {
  // Mosquitto: p1 = MQTT 3.1, p2 = MQTT 3.1.1, p5 = MQTT 5
  const p = c.protocolLevel === 3 ? 1 : c.protocolLevel === 4 ? 2 : c.protocolLevel;
  const user = c.username !== undefined ? `, u'${c.username}'` : '';
  return {
    type: 'notice',
    text: `${stamp(nowMs)}New client connected from ${c.address}:${c.port} as ${c.clientId} (p${p}, c${c.clean ? 1 : 0}, k${c.keepalive}${user}).`,
  };
}

/** The notice line for the end of a connection; undefined where Mosquitto writes none. */
export function formatDisconnect(nowMs: number, clientId: string | undefined, reason: DisconnectReason): SysLogLine | undefined {
  const id = clientId === undefined || clientId === '' ? '<unknown>' : clientId;
  const text: Record<DisconnectReason, string | undefined> = {
    disconnect: `Client ${id} disconnected.`,
    closed: `Client ${id} closed its connection.`,
    'socket-error': `Socket error on client ${id}, disconnecting.`,
    keepalive: `Client ${id} has exceeded timeout, disconnecting.`,
    protocol: `Client ${id} disconnected due to protocol error.`,
    malformed: `Client ${id} disconnected due to malformed packet.`,
    oversize: `Client ${id} disconnected due to oversize packet.`,
    auth: `Client ${id} disconnected, not authorised.`,
    takeover: undefined,
    shutdown: undefined,
  };
  const t = text[reason];
  return t === undefined ? undefined : { type: 'notice', text: stamp(nowMs) + t };
}

export function formatSubscribe(nowMs: number, clientId: string, qos: number, filter: string): SysLogLine {
  return { type: 'subscribe', text: `${stamp(nowMs)}${clientId} ${qos} ${filter}` };
}

export function formatUnsubscribe(nowMs: number, clientId: string, filter: string): SysLogLine {
  return { type: 'unsubscribe', text: `${stamp(nowMs)}${clientId} ${filter}` };
}
