// The domain's current state on `<domain>update/currentstate` (QoS 1, retained; Kanto update-manager
// docs/update-agent-api.md). Kanto's agent reports it only at start and when asked; here also on every
// container change, debounced, so the cloud's view follows the device. The activityId is empty for these
// unasked reports: Kanto's update manager passes on to the cloud exactly those (updatem/orchestration
// update_manager_callback.go). While a command runs, change reports wait for its end: the inventory never
// shows an update's `.new`/`.old` containers half-way.
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { envelope, type Inventory } from '@ledge/shared/model-update';
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';

export interface StateReporter {
  /** Publishes at once (a `currentstate/get`, the start), cancelling a pending change report. */
  now(activityId: string): Promise<void>;
  /** A container changed: report after the debounce delay. */
  changed(): void;
  /** A command starts / ends: change reports wait until none runs. */
  hold(): void;
  release(): void;
  close(): void;
}

export interface StateReporterOptions {
  bus: LocalBusClient;
  topic: string;
  inventory: () => Inventory;
  scheduler: Scheduler;
  now: () => number;
  delayMs: number;
  log: Logger;
}

export function createStateReporter(o: StateReporterOptions): StateReporter {
  let timer: Timer | undefined;
  let held = 0;
  let waiting = false;
  let closed = false;

  const publish = async (activityId: string) => {
    if (closed) return;
    try {
      await o.bus.publish(o.topic, JSON.stringify(envelope(activityId, o.inventory(), o.now())), { qos: 1, retain: true });
    } catch (err) {
      o.log.warn({ err, topic: o.topic }, 'current state not published');
    }
  };
  const fire = () => {
    timer = undefined;
    if (held > 0) waiting = true;
    else void publish('');
  };

  return {
    now(activityId) {
      timer?.cancel();
      timer = undefined;
      waiting = false;
      return publish(activityId);
    },
    changed() {
      if (timer === undefined && !closed) timer = o.scheduler.setTimeout(fire, o.delayMs).unref(); // close() ends it
    },
    hold() {
      held++;
    },
    release() {
      held = Math.max(0, held - 1);
      if (held === 0 && waiting) {
        waiting = false;
        void publish('');
      }
    },
    close() {
      closed = true;
      timer?.cancel();
    },
  };
}
