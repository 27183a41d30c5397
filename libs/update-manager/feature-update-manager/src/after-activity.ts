// What follows a finished activity (Kanto update-manager updatem/orchestration/update_manager.go Apply):
// the device's current state is refreshed and reported with the activity's id, then, when the activity
// COMPLETED with actions in a domain whose agent requires it, the device reboots rebootAfter later (when
// rebootEnabled; else a warning). Ledge also keeps the outcome for its health (`ledge status`, Health feature).
import type { AppHealth } from '@ledge/shared/model-edge';

type HealthLastOperation = NonNullable<AppHealth['lastOperation']>;
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';
import type { ActivityOutcome } from './orchestrator';
import type { Reboot } from './reboot';

export interface AfterActivityOptions {
  readonly refresh: (activityId: string) => Promise<unknown>;
  readonly reboot: Reboot;
  readonly rebootEnabled: boolean;
  readonly rebootAfterMs: number;
  readonly scheduler: Scheduler;
  readonly now: () => number;
  readonly logger: Logger;
  /** The outcome as health reports it, whenever one is known. */
  readonly onOutcome?: (lastOperation: HealthLastOperation) => void;
}

export interface AfterActivity {
  handle(outcome: ActivityOutcome): void;
  /** Cancels a reboot not yet started and waits for a refresh under way. */
  close(): Promise<void>;
}

const MESSAGE_CHARS = 1024; // HealthLastOperationLimits.message

export function createAfterActivity(options: AfterActivityOptions): AfterActivity {
  const log = options.logger.child({ component: 'after-activity' });
  const inflight = new Set<Promise<void>>();
  let rebootTimer: Timer | undefined;
  let closed = false;

  const rebootLater = () => {
    if (!options.rebootEnabled) return void log.warn('a reboot is required to finish the update, but rebootEnabled is off');
    log.warn({ afterMs: options.rebootAfterMs }, 'rebooting to finish the update');
    rebootTimer = options.scheduler.setTimeout(() => {
      rebootTimer = undefined;
      log.warn('rebooting now');
      options.reboot().catch((err: unknown) => log.error({ err }, 'reboot failed'));
    }, options.rebootAfterMs);
  };

  return {
    handle(outcome) {
      const message = outcome.message && outcome.message.length > MESSAGE_CHARS ? `${outcome.message.slice(0, MESSAGE_CHARS - 1)}…` : outcome.message;
      options.onOutcome?.({ correlationId: outcome.activityId, status: outcome.status, at: Math.floor(options.now() / 1000), ...(message ? { message } : {}) });
      if (closed) return;
      const p = options
        .refresh(outcome.activityId)
        .catch((err: unknown) => log.warn({ err }, 'cannot refresh the current state after the activity'))
        .then(() => {
          if (outcome.rebootRequired && !closed) rebootLater();
        });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
    async close() {
      closed = true;
      rebootTimer?.cancel();
      rebootTimer = undefined;
      await Promise.allSettled([...inflight]);
    },
  };
}
