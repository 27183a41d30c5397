// aedes with one addition: a PUBLISH that the ACL (or the $SYS rule) refuses is acknowledged as usual and
// then dropped, as Mosquitto does ([MQTT-3.3.5-2] allows either that or closing the connection; aedes'
// authorizePublish can only close). authorizePublish marks the packet, publish() skips marked packets, so
// a refused message is neither retained nor queued nor delivered.
import { Aedes, type AedesOptions, type PublishPacket } from 'aedes';
import mqttPacket from 'mqtt-packet';

type PublishDone = (error?: Error) => void;
type RawPublish = (this: Aedes, packet: PublishPacket, client: unknown, done?: PublishDone) => void;

export class LedgeAedes extends Aedes {
  readonly #dropped = new WeakSet<object>();

  constructor(options: AedesOptions) {
    super(options);
    // mqtt-packet would otherwise build its packet-id cache, 65,536 Buffers (~6 MB of heap), at the first
    // QoS>0 write; allocating 2 bytes per packet costs less on a gateway (measured in bench/broker).
    mqttPacket.writeToStream.cacheNumbers = false;
  }

  /** Marks a packet seen by authorizePublish so that the following publish() drops it. */
  drop(packet: object): void {
    this.#dropped.add(packet);
  }

  // aedes calls publish(packet, client, done) internally; its typings only declare (packet, done).
  override publish(packet: PublishPacket, clientOrDone?: unknown, maybeDone?: PublishDone): void {
    const done = (typeof clientOrDone === 'function' ? clientOrDone : maybeDone) as PublishDone | undefined;
    if (this.#dropped.has(packet)) {
      this.#dropped.delete(packet);
      if (done) setImmediate(done);
      return;
    }
    (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, clientOrDone, maybeDone);
  }
}
