// aedes as Hono's MQTT adapter uses a broker: nothing a device publishes is routed to another client.
// authorizePublish (hooks.ts) decides on each PUBLISH and marks an accepted packet with its DeviceMessage;
// aedes then acknowledges it (MQTT 3.1.1 has no negative PUBACK, so a refused one is acknowledged too,
// and dropped) and calls publish(), which hands a marked packet to the adapter and routes nothing: no
// retained message is stored, no subscriber reached. For QoS 2 aedes calls publish() once per message
// (after its duplicate check), so a retransmitted PUBLISH is not handed over twice. The broker's own
// messages ($SYS heartbeats and client notices) are dropped too. Commands do not come through here: the
// adapter writes them to the one client that takes them (Client#publish).
import { Aedes, type AedesOptions, type PublishPacket } from 'aedes';
import type { DeviceMessage } from '@ledge/dev-cloud/model-dev-cloud';

type PublishDone = (error?: Error) => void;
export type AcceptedMessage = Omit<DeviceMessage, 'payload'>;

export class DeviceAedes extends Aedes {
  readonly #accepted = new WeakMap<object, AcceptedMessage>();
  readonly #onMessage: (message: DeviceMessage) => void;

  constructor(options: AedesOptions, onMessage: (message: DeviceMessage) => void) {
    super(options);
    this.#onMessage = onMessage;
  }

  /** Marks a packet seen by authorizePublish as accepted: the following publish() hands it over. */
  accept(packet: object, message: AcceptedMessage): void {
    this.#accepted.set(packet, message);
  }

  // aedes calls publish(packet, client, done) internally; its typings only declare (packet, done).
  override publish(packet: PublishPacket, clientOrDone?: unknown, maybeDone?: PublishDone): void {
    const done = (typeof clientOrDone === 'function' ? clientOrDone : maybeDone) as PublishDone | undefined;
    const message = this.#accepted.get(packet);
    if (message !== undefined) {
      this.#accepted.delete(packet);
      const p: unknown = packet.payload;
      const payload = Buffer.isBuffer(p) ? p : Buffer.from(typeof p === 'string' ? p : '');
      this.#onMessage({ ...message, payload });
    }
    if (done) setImmediate(done);
  }
}
