// Where the manager's outputs go. Kanto sends them through the UpdateManager feature when thingsEnabled and
// on the local API otherwise; Ledge always on the local API, and through the feature too when there is one.
// A failed send is logged: the activity goes on (QoS 1 sends are queued while the bus is down).
import type { Command, DesiredStateFeedback, Inventory } from '@ledge/shared/model-update';
import type { Logger } from '@ledge/shared/util';
import type { LocalApi } from './local-api';
import type { UpdateManagerFeature } from './update-manager-feature';

export interface Outputs {
  feedback(activityId: string, feedback: DesiredStateFeedback): void;
  currentState(activityId: string, inventory: Inventory): void;
  askConsent(activityId: string, command: Command): void;
}

export function createOutputs(local: LocalApi, feature: UpdateManagerFeature | undefined, logger: Logger): Outputs {
  const warn = (what: string) => (err: unknown) => logger.warn({ err }, what);
  return {
    feedback(activityId, fb) {
      local.feedback(activityId, fb).catch(warn('cannot publish the feedback locally'));
      feature?.feedback(activityId, fb).catch(warn('cannot send the feedback to the cloud'));
    },
    currentState(activityId, inventory) {
      local.currentState(activityId, inventory).catch(warn('cannot publish the current state locally'));
      feature?.properties(activityId, inventory).catch(warn('cannot send the current state to the cloud'));
    },
    askConsent(activityId, command) {
      local.askConsent(activityId, command).catch(warn('cannot ask for owner consent locally'));
      feature?.askConsent(activityId, command).catch(warn('cannot ask the cloud for owner consent'));
    },
  };
}
