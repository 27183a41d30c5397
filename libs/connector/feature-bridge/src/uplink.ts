// Sends the outbox to the cloud. Two lanes, each in arrival order: `live` (messages that arrived while
// the current cloud connection was up) goes first and unthrottled; `backlog` (everything queued before
// this connection) drains behind it at `replayRate` messages/s. At most `maxInFlight` messages wait for
// a PUBACK. A message leaves the outbox only after every cloud publish it maps to was acknowledged.
// Ordering guarantee (README): backlog in arrival order, live in arrival order; a live message may
// overtake older backlog messages, also on the same topic.
import type { CloudProtocol, DeviceContext } from '@ledge/connector/model-connector';
import { systemClock, systemScheduler, withDefaults, type Clock, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';
import type { OutboxQueue, QueueEntry } from './outbox-queue';

export interface UplinkCloud {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, qos: 0 | 1): Promise<void>;
}

export interface UplinkOptions {
  readonly queue: OutboxQueue;
  readonly protocol: CloudProtocol;
  readonly maxInFlight: number;
  /** Backlog messages per second; 0 = unlimited. */
  readonly replayRate: number;
  readonly logger: Logger;
  readonly onDelivered?: () => void;
  /** Monotonic time for replay pacing; default the system clock. */
  readonly clock?: Pick<Clock, 'monotonic'>;
  /** Replay-pacing timer and the once-per-turn pump; default the system timers. */
  readonly scheduler?: Scheduler;
}

export const defaultUplinkOptions = Object.freeze({ clock: systemClock as Pick<Clock, 'monotonic'>, scheduler: systemScheduler });

export interface UplinkStats {
  delivered: number;
  unroutable: number;
  inFlight: number;
  backlog: number;
}

/**
 * A message that is not in the outbox (a local twin change: the twin store is its durable record). It
 * takes the live lane, so it keeps its place among what local apps published; it is dropped, not sent
 * again, when the connection ends first (the twin sync pushes what was not acknowledged).
 */
export interface TransientMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** Every cloud publish it maps to was acknowledged. */
  readonly onAcked: () => void;
  /** The protocol could not map it. */
  readonly onUnroutable?: (reason: string) => void;
}

type LaneEntry = QueueEntry & { readonly transient?: TransientMessage };

export interface Uplink {
  /** A new cloud connection: everything queued so far becomes the backlog. */
  connected(cloud: UplinkCloud, ctx: DeviceContext): void;
  disconnected(): void;
  /** A message just persisted. */
  enqueued(entry: QueueEntry): void;
  /** A message outside the outbox, sent in the live lane while connected; false (not taken) while offline. */
  sendTransient(message: TransientMessage): boolean;
  stats(): UplinkStats;
  close(): void;
}

class Fifo {
  private items: LaneEntry[] = [];
  private head = 0;
  push(e: LaneEntry) {
    this.items.push(e);
  }
  shift(): LaneEntry | undefined {
    while (this.head < this.items.length) {
      const e = this.items[this.head++]!;
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (!e.removed && !e.inFlight) return e;
    }
    return undefined;
  }
  get length() {
    return this.items.length - this.head;
  }
  clear() {
    this.items = [];
    this.head = 0;
  }
}

export function createUplink(options: UplinkOptions): Uplink {
  const o = withDefaults(defaultUplinkOptions, options);
  const { clock, scheduler } = o;
  const live = new Fifo();
  const backlog = new Fifo();
  let cloud: UplinkCloud | undefined;
  let ctx: DeviceContext | undefined;
  let generation = 0;
  let inFlight = 0;
  let delivered = 0;
  let unroutable = 0;
  let tokens = 0;
  let lastRefill = 0;
  let timer: Timer | undefined;
  let pumpSoon: Timer | undefined;
  let pumping = false;
  const burst = Math.max(1, Math.ceil(o.replayRate / 20));

  function takeToken(): boolean {
    if (o.replayRate <= 0) return true;
    const now = clock.monotonic();
    tokens = Math.min(burst, tokens + ((now - lastRefill) * o.replayRate) / 1000);
    lastRefill = now;
    if (tokens >= 1) {
      tokens--;
      return true;
    }
    if (timer === undefined) {
      timer = scheduler.setTimeout(() => {
        timer = undefined;
        pump();
      }, Math.max(1, Math.ceil(((1 - tokens) * 1000) / o.replayRate)));
    }
    return false;
  }

  function pump(): void {
    if (pumping) return;
    pumping = true;
    try {
      while (cloud?.connected && ctx && inFlight < o.maxInFlight) {
        let e = live.shift();
        if (e === undefined && backlog.length > 0 && takeToken()) e = backlog.shift();
        if (e === undefined) break;
        send(e, cloud, ctx);
      }
    } finally {
      pumping = false;
    }
  }

  function send(e: LaneEntry, c: UplinkCloud, context: DeviceContext): void {
    const mapped = o.protocol.toCloud({ topic: e.topic, payload: e.payload, qos: e.qos }, context);
    if (!mapped.ok) {
      unroutable++;
      o.logger.debug({ topic: e.topic, reason: mapped.drop }, 'message not routable to the cloud; dropped');
      if (e.transient !== undefined) e.transient.onUnroutable?.(mapped.drop);
      else void o.queue.remove(e).catch((err: unknown) => o.logger.warn({ err }, 'outbox ack failed'));
      return;
    }
    e.inFlight = true;
    inFlight++;
    const gen = generation;
    // One cloud message per local one is the common case: skip Promise.all's extra promise and array.
    const msgs = mapped.messages;
    const sent: Promise<unknown> =
      msgs.length === 1 ? c.publish(msgs[0]!.topic, msgs[0]!.payload, msgs[0]!.qos === 0 ? 0 : 1) : Promise.all(msgs.map((m) => c.publish(m.topic, m.payload, m.qos === 0 ? 0 : 1)));
    sent.then(
      () => {
        e.inFlight = false;
        inFlight--;
        delivered++;
        if (e.transient !== undefined) e.transient.onAcked();
        else o.queue.remove(e).catch((err: unknown) => o.logger.warn({ err }, 'outbox ack failed'));
        o.onDelivered?.();
        pump();
      },
      (err: unknown) => {
        e.inFlight = false;
        inFlight--;
        o.logger.debug({ err, topic: e.topic }, 'cloud publish interrupted; sent again after reconnect');
        // Failed on a connection that is still the current one (rare): retry behind the backlog.
        if (e.transient === undefined && gen === generation && cloud?.connected) {
          backlog.push(e);
          pump();
        }
      },
    );
  }

  // Once per event-loop turn: the messages of one socket read go out together, and MQTT.js then
  // writes their PUBLISHes with one syscall instead of one each.
  function schedulePump(): void {
    if (pumpSoon !== undefined) return;
    pumpSoon = scheduler.setImmediate(() => {
      pumpSoon = undefined;
      pump();
    });
  }

  return {
    connected(c, context) {
      generation++;
      cloud = c;
      ctx = context;
      live.clear();
      backlog.clear();
      for (const e of o.queue.entries()) if (!e.inFlight) backlog.push(e);
      tokens = burst;
      lastRefill = clock.monotonic();
      o.logger.info({ backlog: backlog.length }, 'draining outbox');
      pump();
    },
    disconnected() {
      generation++;
      cloud = undefined;
      live.clear();
      backlog.clear();
      timer?.cancel();
      timer = undefined;
    },
    enqueued(e) {
      if (!cloud) return;
      live.push(e);
      schedulePump();
    },
    sendTransient(m) {
      if (!cloud?.connected) return false;
      live.push({ id: -1, topic: m.topic, payload: m.payload, qos: 1, cls: 'e', ts: 0, bytes: m.payload.length, inFlight: false, removed: false, transient: m });
      schedulePump();
      return true;
    },
    stats: () => ({ delivered, unroutable, inFlight, backlog: backlog.length }),
    close() {
      cloud = undefined;
      timer?.cancel();
      timer = undefined;
      pumpSoon?.cancel();
      pumpSoon = undefined;
    },
  };
}
