// The UpdateManager Ditto feature on the gateway thing (Kanto update-manager things/update_manager_feature.go):
// registered with its definition and {domain}; inbox `apply`, `refresh`, `consent`; outbox `feedback` and
// `consent` (the latter with a fresh correlation-id and response-required, which the owner's `consent`
// answer must carry back); the device's current state as the properties {activityId, timestamp, domain,
// inventory}. Refusals are typed errors the Ditto agent answers 400 messages:parameter.invalid.
import { randomUUID } from 'node:crypto';
import type { DittoAgent } from '@ledge/shared/data-access-mqtt';
import { UPDATE_MANAGER_DEFINITION, UPDATE_MANAGER_FEATURE_ID, UpdateManagerMessages, type Command, type ConsentStatus, type DesiredStateFeedback, type Inventory } from '@ledge/shared/model-update';
import {
  applyInvalidError,
  consentInvalidError,
  consentMessage,
  consentUnexpectedError,
  featureProperties,
  feedbackMessage,
  parseApplyArgs,
  parseConsentArgs,
  parseRefreshArgs,
  refreshInvalidError,
} from '@ledge/update-manager/model-update-manager';
import type { Logger } from '@ledge/shared/util';

export interface FeatureHandlers {
  apply(activityId: string, desiredState: unknown): void;
  /** An apply refused with 400 that named its activity: the activity's feedback says why too. */
  refused(activityId: string, problems: readonly string[]): void;
  refresh(activityId: string): void;
  consent(activityId: string, status: ConsentStatus): void;
}

export interface UpdateManagerFeature {
  /** Twin modify of the feature (on every new thing identity). */
  register(): Promise<void>;
  feedback(activityId: string, feedback: DesiredStateFeedback): Promise<void>;
  askConsent(activityId: string, command: Command): Promise<void>;
  properties(activityId: string, inventory: Inventory): Promise<void>;
  close(): void;
}

export interface UpdateManagerFeatureOptions {
  readonly agent: DittoAgent;
  readonly domain: string;
  readonly handlers: FeatureHandlers;
  readonly now: () => number;
  readonly logger: Logger;
  readonly newCorrelationId?: () => string;
}

const PATH = `/features/${UPDATE_MANAGER_FEATURE_ID}`;

export function createUpdateManagerFeature(options: UpdateManagerFeatureOptions): UpdateManagerFeature {
  const { agent, domain, handlers, now } = options;
  const log = options.logger.child({ component: 'update-manager-feature' });
  const newCorrelationId = options.newCorrelationId ?? randomUUID;
  let consentCorrelationId: string | undefined;
  let last: { activityId: string; timestamp: number; inventory: Inventory } | undefined;
  // Kanto answers first and works after (`go handler.…`): the 204 leaves before the activity's feedback.
  const later = (fn: () => void) => void setImmediate(fn);

  const unregister = agent.handle(
    UPDATE_MANAGER_FEATURE_ID,
    async (cmd) => {
      switch (cmd.operation) {
        case UpdateManagerMessages.apply: {
          const r = parseApplyArgs(cmd.value);
          if (!r.ok) {
            if (r.activityId !== undefined) later(() => handlers.refused(r.activityId!, r.problems));
            throw applyInvalidError(r.problems);
          }
          later(() => handlers.apply(r.apply.activityId, r.apply.desiredState));
          return;
        }
        case UpdateManagerMessages.refresh: {
          const r = parseRefreshArgs(cmd.value);
          if (!r.ok) throw refreshInvalidError(r.problems);
          later(() => handlers.refresh(r.refresh.activityId));
          return;
        }
        default: {
          const r = parseConsentArgs(cmd.value);
          if (!r.ok) throw consentInvalidError(r.problems);
          if (consentCorrelationId === undefined) throw consentUnexpectedError('no owner consent is pending');
          if (cmd.correlationId !== consentCorrelationId) throw consentUnexpectedError(`expected the correlation-id of the last outbox consent, got ${JSON.stringify(cmd.correlationId ?? null)}`);
          consentCorrelationId = undefined;
          later(() => handlers.consent(r.consent.activityId, r.consent.ownerConsentFeedback.status));
          return;
        }
      }
    },
    [UpdateManagerMessages.apply, UpdateManagerMessages.refresh, UpdateManagerMessages.consent],
  );

  return {
    async register() {
      const properties = last ? featureProperties(domain, last.activityId, last.timestamp, last.inventory) : { domain };
      await agent.modify(PATH, { definition: [...UPDATE_MANAGER_DEFINITION], properties });
      log.info({ thingId: agent.thingId, featureId: UPDATE_MANAGER_FEATURE_ID }, 'feature registered');
    },
    async feedback(activityId, feedback) {
      if (agent.thingId === undefined) return; // not registered yet: Kanto drops it too (feature not active)
      await agent.message(UPDATE_MANAGER_FEATURE_ID, UpdateManagerMessages.feedback, feedbackMessage(activityId, now(), feedback));
    },
    async askConsent(activityId, command) {
      if (agent.thingId === undefined) return;
      consentCorrelationId = newCorrelationId();
      await agent.message(UPDATE_MANAGER_FEATURE_ID, UpdateManagerMessages.consent, consentMessage(activityId, now(), { command }), {
        'correlation-id': consentCorrelationId,
        'response-required': true,
      });
    },
    async properties(activityId, inventory) {
      last = { activityId, timestamp: now(), inventory };
      if (agent.thingId === undefined) return; // register() sends it with the feature
      await agent.modify(`${PATH}/properties`, featureProperties(domain, last.activityId, last.timestamp, inventory));
    },
    close() {
      unregister();
    },
  };
}
