// The connector's status for local apps (§1.1, §1.2): retained on edge/connection/remote/status with the
// outbox depth and age, published at once on every change and re-checked on a heartbeat; and the
// identity answer on edge/thing/response.
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import {
  buildConnectedStatus,
  buildDisconnectedStatus,
  ConnectionCauses,
  EdgeTopicPublishOptions,
  EdgeTopics,
  encodeConnectionStatus,
  encodeThingIdentity,
  type ConnectionCause,
  type ThingIdentity,
} from '@ledge/shared/model-edge';
import type { Clock, Logger, Scheduler, Timer } from '@ledge/shared/util';
import type { OutboxQueue } from './outbox-queue';

export interface StatusPublisherOptions {
  readonly local: LocalBusClient;
  readonly queue: Pick<OutboxQueue, 'depth' | 'oldestTs'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly scheduler: Scheduler;
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface StatusPublisher {
  /** undefined: connected. Takes effect with the next publish. */
  setCause(cause: ConnectionCause | undefined): void;
  /** Publishes unless nothing changed (cause, depth, age in s); `force` publishes anyway. */
  publish(force: boolean): Promise<void>;
  announceIdentity(identity: ThingIdentity | undefined): void;
  /** Starts the heartbeat (statusIntervalMs); it never keeps the process alive. */
  startHeartbeat(): void;
  stopHeartbeat(): void;
  /** From now on a publish is handed to the local bus's bounded close() instead of being awaited. */
  closing(): void;
  /** The last status published while closing. */
  finalStatus(): Promise<void> | undefined;
}

export function createStatusPublisher(o: StatusPublisherOptions): StatusPublisher {
  const { local, queue, clock, logger: log } = o;
  let cause: ConnectionCause | undefined = ConnectionCauses.CONNECTION_UNKNOWN;
  let lastStatus = '';
  let heartbeat: Timer | undefined;
  let closing = false;
  let finalStatus: Promise<void> | undefined;

  function outboxStatus() {
    const oldest = queue.oldestTs();
    return { depth: queue.depth, oldestAgeMs: oldest === undefined ? 0 : Math.max(0, clock.now() - oldest) };
  }

  async function publish(force: boolean): Promise<void> {
    const outbox = outboxStatus();
    const nowMs = clock.now();
    const status = cause === undefined ? buildConnectedStatus({ nowMs, outbox }) : buildDisconnectedStatus({ nowMs, cause, outbox });
    const key = `${cause ?? ''}:${outbox.depth}:${Math.round(outbox.oldestAgeMs / 1000)}`;
    if (!force && key === lastStatus) return;
    lastStatus = key;
    if (!local.connected) return;
    const sent = local.publish(EdgeTopics.connectionStatus, encodeConnectionStatus(status), EdgeTopicPublishOptions.connectionStatus).catch((err: unknown) => log.debug({ err }, 'status not published'));
    // While closing, the local bus's close() bounds the wait for this PUBACK (closeTimeoutMs) and fails
    // it once closed: a broker that stops with us (ledge run --processes) never sends it, and MQTT.js
    // would keep the publish for a reconnect that never comes, holding the shutdown until SIGKILL.
    if (closing) finalStatus = sent;
    else await sent;
  }

  return {
    setCause(c) {
      cause = c;
    },
    publish,
    announceIdentity(identity) {
      if (identity === undefined || !local.connected) return;
      local.publish(EdgeTopics.thingResponse, encodeThingIdentity(identity), EdgeTopicPublishOptions.thingResponse).catch((err: unknown) => log.debug({ err }, 'identity not published'));
    },
    startHeartbeat() {
      heartbeat = o.scheduler.setInterval(() => void publish(false), o.intervalMs);
      heartbeat.unref();
    },
    stopHeartbeat() {
      heartbeat?.cancel();
      heartbeat = undefined;
    },
    closing() {
      closing = true;
    },
    finalStatus: () => finalStatus,
  };
}
