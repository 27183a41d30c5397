// The activation gate (issue 18, beyond Kanto: Kanto reports ACTIVATION_SUCCESS once `start` returned, so a
// container that exits at once, or runs but never serves, passes). Each new or changed container must be
// running, and healthy when it has a health check (without one: running for the manager's settle time),
// within a deadline: the manager's waitHealthy. Else ACTIVATION_FAILURE naming the container and why,
// and the update can be rolled back. Injected into the agent, so specs decide what passes.
import { isLedgeError } from '@ledge/shared/util';
import { CmErrorCodes, updateActivationError } from '../errors';
import type { ContainerManager } from '../manager';
import type { ContainerRecord } from '../store';

/** Resolves when the container passed; rejects with the reason it did not. */
export type ActivationGate = (record: ContainerRecord, options: { deadlineMs: number }) => Promise<void>;

export function createActivationGate(manager: Pick<ContainerManager, 'waitHealthy'>): ActivationGate {
  return async (record, { deadlineMs }) => {
    try {
      await manager.waitHealthy(record.id, { deadlineMs });
    } catch (err) {
      // waitHealthy names the container by ID; the feedback names it as the desired state does.
      const reason = isLedgeError(err) && err.code === CmErrorCodes.NOT_HEALTHY ? err.message.replace(/^.*? is not healthy: /, '') : err instanceof Error ? err.message : String(err);
      throw updateActivationError(record.config.name, reason, err);
    }
  };
}
