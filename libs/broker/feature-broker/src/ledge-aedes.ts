// aedes with two changes to how a client's PUBLISH is handled.
//
// 1. A PUBLISH that the ACL (or the $SYS rule) refuses is acknowledged as usual and then dropped, as
//    Mosquitto does ([MQTT-3.3.5-2] allows either that or closing the connection; aedes' authorizePublish
//    can only close). authorizePublish marks the packet, publish() skips marked packets, so a refused
//    message is neither retained nor queued nor delivered.
// 2. Acknowledge only what is durable (issue 17). aedes 1.2 writes a QoS 1 PUBACK *before* it runs the
//    publish pipeline (lib/handlers/publish.js), so a process killed in between loses a message its
//    publisher was told was safe. Here that PUBACK is held back on its way to the socket (aedes writes
//    packets with mqtt-packet's writeToStream, which the broker wraps, see pubacks.ts) until the pipeline
//    has run (retained, queued for every persistent session, delivered) and the persistence's durable()
//    has settled (journal written; fdatasync'ed with fsync always). The QoS 2 PUBREC, which aedes already
//    sends after the pipeline, waits for durable() the same way. PUBACKs leave in the order of their
//    PUBLISHes. An error in the pipeline or the write closes the connection without an acknowledgement,
//    so the publisher sends the message again. Only a client's QoS 1/2 messages wait: the broker's own
//    ($SYS) have no acknowledgement to hold. (Running the pipeline inside authorizePublish instead, before
//    aedes writes the PUBACK, lost live deliveries to other clients: the whole-stack status test saw it.)
import { Aedes, type AedesOptions, type AuthorizePublishHandler, type Client, type PublishPacket } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { internals, persistenceOf } from './aedes-internals';
import { dropPuback, holdPuback, installPacketWriter, releasePuback } from './pubacks';

type PublishDone = (error?: Error) => void;
type RawPublish = (this: Aedes, packet: PublishPacket, client: unknown, done?: PublishDone) => void;

const connOf = (client: unknown) => (client ? internals(client as Client).conn : undefined);

export class LedgeAedes extends Aedes {
  /** Packets publish() must skip: refused by the ACL. */
  readonly #dropped = new WeakSet<object>();

  constructor(options: AedesOptions) {
    super(options);
    // mqtt-packet would otherwise build its packet-id cache, 65,536 Buffers (~6 MB of heap), at the first
    // QoS>0 write; allocating 2 bytes per packet costs less on a gateway (measured in bench/broker).
    mqttPacket.writeToStream.cacheNumbers = false;
    installPacketWriter(); // one buffer per PUBLISH and PUBACK (packet-writer.ts)
    const authorize = this.authorizePublish as AuthorizePublishHandler;
    this.authorizePublish = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => {
      authorize.call(this, client, packet, (err?: Error | null) => {
        // aedes writes the PUBACK next, then calls publish(): hold it until publish() has made the message durable.
        const conn = connOf(client);
        if (!err && conn && packet.qos === 1 && persistenceOf(this).durable !== undefined) holdPuback(conn, packet.messageId!);
        callback(err);
      });
    };
  }

  /** Marks a packet seen by authorizePublish so that the following publish() drops it. */
  drop(packet: object): void {
    this.#dropped.add(packet);
  }

  // aedes calls publish(packet, client, done) internally; its typings only declare (packet, done).
  override publish(packet: PublishPacket, clientOrDone?: unknown, maybeDone?: PublishDone): void {
    const client = typeof clientOrDone === 'function' ? null : clientOrDone;
    const done = (typeof clientOrDone === 'function' ? clientOrDone : maybeDone) as PublishDone | undefined;
    const conn = connOf(client);
    const qos1 = packet.qos === 1 && conn !== undefined;
    if (this.#dropped.has(packet)) {
      this.#dropped.delete(packet);
      if (qos1) releasePuback(conn, packet.messageId!);
      if (done) setImmediate(done);
      return;
    }
    const persistence = persistenceOf(this);
    const barrier = persistence.durable;
    if (client === null || client === undefined || !((packet.qos ?? 0) > 0) || barrier === undefined) {
      (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, client, done);
      return;
    }
    const fail = (err: Error) => {
      if (qos1) dropPuback(conn, packet.messageId!);
      done?.(err);
    };
    (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, client, (err?: Error) => {
      if (err) {
        fail(err);
        return;
      }
      barrier.call(persistence).then(
        () => {
          if (qos1) releasePuback(conn, packet.messageId!);
          done?.();
        },
        (e: unknown) => fail(e as Error),
      );
    });
  }
}
