// The few aedes 1.2 internals the broker relies on, typed in one place (aedes is pinned to 1.2.0; the
// broker's tests fail loudly if an upgrade moves them). Public aedes types do not declare these fields.
import type { Duplex } from 'node:stream';
import type { Aedes, Client } from 'aedes';
import type { MqttPacketParser } from './packet-reader';

export interface DeliveryPacket {
  topic: string;
  qos: number;
  /** Set on packets the broker writes itself (the other fields come from aedes' own packets). */
  cmd?: 'publish';
  payload?: Buffer | string;
  retain?: boolean;
  dup?: boolean;
}

export type DeliverFn = (packet: DeliveryPacket, callback: () => void) => void;

export interface ClientInternals {
  readonly id: string;
  readonly clean: boolean;
  readonly closed: boolean;
  readonly conn: Duplex;
  /** Topic filter → granted subscription of the live connection. */
  readonly subscriptions: Record<string, { qos: number }>;
  /** Per-subscription delivery functions; aedes picks one per subscription at SUBSCRIBE time. */
  deliver0: DeliverFn;
  deliverQoS: DeliverFn;
  /** Set when the client sent DISCONNECT. */
  readonly _disconnected: boolean;
  /** The next packet id aedes gives a QoS 1/2 delivery (random at CONNECT, wraps 65535 → 1). */
  _nextId: number;
  /** The connection's mqtt-packet parser; aedes calls its parse() with what it reads. */
  readonly _parser: MqttPacketParser;
}

export function internals(client: Client): ClientInternals {
  return client as unknown as ClientInternals;
}

/** The live clients of a broker by id (aedes' own registry). */
export function registeredClient(broker: Aedes, id: string): Client | undefined {
  return (broker as unknown as { clients: Record<string, Client | undefined> }).clients[id];
}

/** Every live client of a broker (aedes' own registry). */
export function registeredClients(broker: Aedes): Client[] {
  return Object.values((broker as unknown as { clients: Record<string, Client | undefined> }).clients).filter((c): c is Client => c !== undefined);
}

/** Forgets a client's will so that closing it does not publish the will (it stays persisted). */
export function forgetWill(client: Client): void {
  (client as unknown as { will: unknown }).will = null;
}

/** aedes' message emitter (mqemitter): emit(packet, done) hands a publish to the live subscriptions. */
export interface MessageEmitter {
  emit(packet: { brokerId?: string; brokerCounter?: number }, done?: (err?: Error) => void): unknown;
}

/** The emitter aedes' publish pipeline calls once retained and queued for the persistent sessions (aedes.js emitPacket). */
export function emitterOf(broker: Aedes): MessageEmitter {
  return (broker as unknown as { mq: MessageEmitter }).mq;
}

/** The number aedes gave its newest Packet: aedes-packet sets `brokerCounter = ++broker.counter` as it builds one. */
export function packetCounterOf(broker: Aedes): number {
  return (broker as unknown as { counter: number }).counter;
}

/** The persistence aedes was given; `durable` is the disk persistence's write barrier (the memory one has none). */
export function persistenceOf(broker: Aedes): { durable?: () => Promise<void> } {
  return (broker as unknown as { persistence: { durable?: () => Promise<void> } }).persistence;
}
