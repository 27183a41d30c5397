// aedes with two changes to how a client's PUBLISH is handled.
//
// 1. A PUBLISH that the ACL (or the $SYS rule) refuses is acknowledged as usual and then dropped, as
//    Mosquitto does ([MQTT-3.3.5-2] allows either that or closing the connection; aedes' authorizePublish
//    can only close). authorizePublish marks the packet, publish() skips marked packets, so a refused
//    message is neither retained nor queued nor delivered.
// 2. Acknowledge only what is durable (issue 17). aedes 1.2 writes a QoS 1 PUBACK *before* it runs the
//    publish pipeline (lib/handlers/publish.js), so a process killed in between loses a message its
//    publisher was told was safe. Here the pipeline of an authorized QoS 1 PUBLISH runs inside
//    authorizePublish, which aedes awaits before it writes the PUBACK; the packet is then marked handled so
//    aedes' own publish() call after the PUBACK does nothing. Every QoS 1/2 publish waits for the
//    persistence's durable() (journal written; fdatasync'ed with fsync always) before it completes
//    (a client's; the broker's own $SYS messages have no acknowledgement to hold), so the
//    PUBACK (QoS 1) and PUBREC (QoS 2, which aedes already sends after the pipeline) follow the write.
//    PUBACKs keep the order of their PUBLISHes: pipelines start in arrival order and durable() settles in
//    append order. An error in the pipeline or the write closes the connection without an acknowledgement,
//    so the publisher sends the message again.
import { Aedes, type AedesOptions, type AuthorizePublishHandler, type Client, type PublishPacket } from 'aedes';
import mqttPacket from 'mqtt-packet';

type PublishDone = (error?: Error) => void;
type RawPublish = (this: Aedes, packet: PublishPacket, client: unknown, done?: PublishDone) => void;

/** The persistence's write barrier, when it has one (the disk persistence; the memory one has none). */
interface Durable {
  durable?: () => Promise<void>;
}

export class LedgeAedes extends Aedes {
  /** Packets publish() must skip: refused by the ACL, or already published before their PUBACK. */
  readonly #handled = new WeakSet<object>();

  constructor(options: AedesOptions) {
    super(options);
    // mqtt-packet would otherwise build its packet-id cache, 65,536 Buffers (~6 MB of heap), at the first
    // QoS>0 write; allocating 2 bytes per packet costs less on a gateway (measured in bench/broker).
    mqttPacket.writeToStream.cacheNumbers = false;
    const authorize = this.authorizePublish as AuthorizePublishHandler;
    this.authorizePublish = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => {
      authorize.call(this, client, packet, (err?: Error | null) => {
        if (err || client === null || packet.qos !== 1 || this.#handled.has(packet)) {
          callback(err);
          return;
        }
        this.publish(packet, client, (publishErr?: Error) => {
          if (publishErr) {
            callback(publishErr);
            return;
          }
          this.#handled.add(packet);
          callback(null);
        });
      });
    };
  }

  /** Marks a packet seen by authorizePublish so that the following publish() drops it. */
  drop(packet: object): void {
    this.#handled.add(packet);
  }

  // aedes calls publish(packet, client, done) internally; its typings only declare (packet, done).
  override publish(packet: PublishPacket, clientOrDone?: unknown, maybeDone?: PublishDone): void {
    const client = typeof clientOrDone === 'function' ? null : clientOrDone;
    const done = (typeof clientOrDone === 'function' ? clientOrDone : maybeDone) as PublishDone | undefined;
    if (this.#handled.has(packet)) {
      this.#handled.delete(packet);
      if (done) setImmediate(done);
      return;
    }
    const persistence = (this as unknown as { persistence: Durable }).persistence;
    const barrier = persistence.durable;
    // Only a client's QoS 1/2 message has an acknowledgement to hold; the broker's own ($SYS) have none.
    if (client === null || client === undefined || !((packet.qos ?? 0) > 0) || barrier === undefined) {
      (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, client, done);
      return;
    }
    (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, client, (err?: Error) => {
      if (err) {
        done?.(err);
        return;
      }
      barrier.call(persistence).then(
        () => done?.(),
        (e: unknown) => done?.(e as Error),
      );
    });
  }
}
