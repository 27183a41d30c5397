// The aedes 1.2 client internals the adapter relies on, typed in one place (public aedes types do not
// declare them; the adapter's tests fail loudly if an upgrade moves them).
import type { Client } from 'aedes';

interface ClientInternals {
  id: string;
  /** Topic filter → granted subscription of the live connection, in the order they were made. */
  readonly subscriptions: Record<string, { qos: number } | undefined>;
  /** The will aedes publishes when the connection ends without DISCONNECT. */
  will: unknown;
  readonly conn: { remoteAddress?: string };
}

const internals = (client: Client) => client as unknown as ClientInternals;

/**
 * Renames a client before aedes registers it (the authenticate hook runs first): aedes keeps one client
 * per ID and closes the older one ([MQTT-3.1.4-2]), so an ID per device makes a device's second
 * connection take over its first, and keeps one device from taking over another's by its client ID.
 */
export function renameClient(client: Client, id: string): void {
  internals(client).id = id;
}

export function subscriptionsOf(client: Client): { filter: string; qos: number }[] {
  return Object.entries(internals(client).subscriptions).map(([filter, s]) => ({ filter, qos: s?.qos ?? 0 }));
}

/** Forgets a client's will so that closing it (at shutdown) does not publish it. */
export function forgetWill(client: Client): void {
  internals(client).will = null;
}

export function remoteAddress(client: Client): string {
  return internals(client).conn?.remoteAddress ?? 'unknown';
}
