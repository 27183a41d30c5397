// The device's current state (Kanto update-manager updatem/orchestration/update_manager.go Get,
// update_manager_callback.go, domain/update_manager_handler.go, api/agent/callback_current_state.go): each
// agent's latest inventory (its retained `/currentstate`; an older timestamp than the one known is
// dropped) joined under the manager's node. An agent's own change (no activityId) is reported
// currentStateDelay after the first change with everything since (0 = at once). A refresh (the local
// `currentstate/get`, the feature's `refresh`, the end of an activity, the start) asks every agent, waits for
// each answer up to its readTimeout, and reports at once with the asker's activityId.
import type { Inventory, SoftwareNode } from '@ledge/shared/model-update';
import { deviceInventory, type AgentSettings } from '@ledge/update-manager/model-update-manager';
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';
import type { AgentLink } from './agent-link';

export interface CurrentStateOptions {
  readonly link: AgentLink;
  readonly agents: readonly AgentSettings[];
  readonly manager: SoftwareNode;
  readonly delayMs: number;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly publish: (activityId: string, inventory: Inventory) => void;
}

export interface CurrentState {
  /** Asks every agent, then reports the device's current state with this activityId; resolves with it. */
  refresh(activityId: string): Promise<Inventory>;
  readonly inventory: Inventory;
  close(): void;
}

export function createCurrentState(options: CurrentStateOptions): CurrentState {
  const { link, agents, scheduler, publish } = options;
  const log = options.logger.child({ component: 'current-state' });
  const known = new Map<string, { inventory: Inventory; timestamp: number }>();
  const waiters = new Map<string, () => void>();
  let pending: Timer | undefined;
  let closed = false;

  const full = () => deviceInventory(options.manager, agents.filter((a) => known.has(a.domain)).map((a) => [a.domain, known.get(a.domain)!.inventory] as const));
  const waitKey = (domain: string, activityId: string) => `${domain}\u0000${activityId}`;

  const unsubscribe = link.onCurrentState((domain, activityId, timestamp, inventory) => {
    const before = known.get(domain);
    if (before !== undefined && timestamp < before.timestamp) return void log.warn({ domain, timestamp, known: before.timestamp }, 'outdated current state ignored');
    known.set(domain, { inventory, timestamp });
    const waiter = activityId === '' ? undefined : waiters.get(waitKey(domain, activityId));
    if (waiter !== undefined) return waiter();
    if (activityId !== '' || closed) return; // an answer to someone else's get, or after an activity: kept
    if (options.delayMs <= 0) return publish('', full());
    pending ??= scheduler.setTimeout(() => {
      pending = undefined;
      if (!closed) publish('', full());
    }, options.delayMs);
  });

  const ask = (agent: AgentSettings, activityId: string) =>
    new Promise<void>((resolve) => {
      const key = waitKey(agent.domain, activityId);
      const timer = scheduler.setTimeout(() => {
        log.warn({ domain: agent.domain, activityId, readTimeoutMs: agent.readTimeoutMs }, 'no current state from the agent in time; reporting the last known');
        done();
      }, agent.readTimeoutMs);
      const done = () => {
        timer.cancel();
        waiters.delete(key);
        resolve();
      };
      waiters.set(key, done);
      link.requestCurrentState(agent.domain, activityId).catch((err: unknown) => {
        log.warn({ err, domain: agent.domain }, 'cannot ask the agent for its current state');
        done();
      });
    });

  return {
    async refresh(activityId) {
      await Promise.all(agents.map((a) => ask(a, activityId)));
      pending?.cancel();
      pending = undefined;
      const inventory = full();
      if (!closed) publish(activityId, inventory);
      return inventory;
    },
    get inventory() {
      return full();
    },
    close() {
      closed = true;
      unsubscribe();
      pending?.cancel();
      pending = undefined;
      for (const done of [...waiters.values()]) done();
    },
  };
}
