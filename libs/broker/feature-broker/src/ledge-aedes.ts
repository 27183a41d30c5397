// aedes with two changes to how a client's PUBLISH is handled.
//
// 1. A PUBLISH that the ACL (or the $SYS rule) refuses is acknowledged as usual and then dropped, as
//    Mosquitto does ([MQTT-3.3.5-2] allows either that or closing the connection; aedes' authorizePublish
//    can only close). authorizePublish marks the packet, publish() skips marked packets, so a refused
//    message is neither retained nor queued nor delivered.
// 2. Acknowledge only what is durable (issue 17). aedes 1.2 writes a QoS 1 PUBACK *before* it runs the
//    publish pipeline (lib/handlers/publish.js), so a process killed in between loses a message its
//    publisher was told was safe. Here that PUBACK is held back on its way to the socket (aedes writes
//    packets with mqtt-packet's writeToStream, which the broker wraps, see pubacks.ts) until the message
//    is retained (if retained) and queued for every persistent session it matches, online or offline
//    (aedes' storeRetained and enqueueOffline, the steps before emitPacket), and the persistence's
//    durable() called after that has settled (journal written; fdatasync'ed with fsync always). The
//    PUBACK does not wait for the live deliveries (emitPacket): a persistent session has the message in
//    its queue already, and a clean session is owed nothing before the PUBACK ([MQTT-4.3.2-2] /
//    [MQTT-4.3.2-4] in 5.0: the PUBACK follows "having accepted ownership"; Mosquitto acks before it
//    delivers too), so a subscriber that reads slowly or not at all no longer delays other clients'
//    PUBACKs. aedes' own publish callback, which lets it read the publisher's next packets, still waits
//    for the deliveries and durable(): a slow subscriber throttles the publisher's reads (TCP), not its
//    acknowledgements, and nothing piles up in memory. The QoS 2 PUBREC, which aedes sends only from that
//    callback, waits for both. PUBACKs leave in the order of their PUBLISHes ([MQTT-4.6.0-2], the hold
//    queue in pubacks.ts). An error in the pipeline or the write closes the connection, without an
//    acknowledgement unless it was already durable, so the publisher sends the message again. Only a
//    client's QoS 1/2 messages wait: the broker's own ($SYS) have no acknowledgement to hold. (Running the
//    pipeline inside authorizePublish instead, before aedes writes the PUBACK, lost live deliveries to
//    other clients: the whole-stack status test saw it.)
import { Aedes, type AedesOptions, type AuthorizePublishHandler, type Client, type PublishPacket } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { emitterOf, internals, packetCounterOf, persistenceOf, type MessageEmitter } from './aedes-internals';
import { dropPuback, holdPuback, installPacketWriter, releasePuback } from './pubacks';

type PublishDone = (error?: Error) => void;
type RawPublish = (this: Aedes, packet: PublishPacket, client: unknown, done?: PublishDone) => void;

const connOf = (client: unknown) => (client ? internals(client as Client).conn : undefined);

export class LedgeAedes extends Aedes {
  /** Packets publish() must skip: refused by the ACL. */
  readonly #dropped = new WeakSet<object>();
  /** brokerCounter of a client's QoS 1/2 message in the pipeline → what runs once it is queued (emitted). */
  readonly #awaitingQueue = new Map<number, () => void>();

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
    // aedes emits a QoS 1/2 message to the live subscriptions right after storeRetained and enqueueOffline
    // have completed: that call is the moment it is queued for every persistent session.
    const mq = emitterOf(this);
    const emit = mq.emit;
    const awaiting = this.#awaitingQueue;
    const brokerId = this.id;
    mq.emit = function emitQueued(this: MessageEmitter, packet, done) {
      if (awaiting.size > 0 && packet.brokerId === brokerId && packet.brokerCounter !== undefined) {
        const queued = awaiting.get(packet.brokerCounter);
        if (queued !== undefined) {
          awaiting.delete(packet.brokerCounter);
          queued();
        }
      }
      return emit.call(this, packet, done);
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
    this.#publishDurably(packet, client, conn, persistence as { durable: () => Promise<void> }, done);
  }

  /**
   * aedes' pipeline with the acknowledgement rule of point 2: durable() runs once the message is queued
   * (or, should the emit not be seen, once the pipeline is done) and releases the PUBACK; aedes' callback
   * runs once the pipeline is done and durable() has settled.
   */
  #publishDurably(packet: PublishPacket, client: unknown, conn: ReturnType<typeof connOf>, persistence: { durable: () => Promise<void> }, done: PublishDone | undefined): void {
    const qos1 = packet.qos === 1 && conn !== undefined;
    let queued = false;
    let pipelineDone = false;
    let durable = false;
    let released = false;
    let finished = false;
    const counter = packetCounterOf(this) + 1; // the number aedes gives the Packet it builds next
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      this.#awaitingQueue.delete(counter);
      if (err && qos1 && !released) dropPuback(conn, packet.messageId!);
      done?.(err);
    };
    const onQueued = () => {
      if (queued) return;
      queued = true;
      persistence.durable().then(
        () => {
          durable = true;
          if (finished) return;
          if (qos1) {
            released = true;
            releasePuback(conn, packet.messageId!);
          }
          if (pipelineDone) finish();
        },
        (e: unknown) => finish(e as Error),
      );
    };
    this.#awaitingQueue.set(counter, onQueued);
    (Aedes.prototype.publish as unknown as RawPublish).call(this, packet, client, (err?: Error) => {
      if (err) {
        finish(err);
        return;
      }
      pipelineDone = true;
      onQueued();
      if (durable) finish();
    });
    // aedes built no Packet (it refused the topic at once): nothing will be emitted under that number
    if (packetCounterOf(this) !== counter) this.#awaitingQueue.delete(counter);
  }
}
