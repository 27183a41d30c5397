// The manager's local API (Kanto update-manager docs/update-manager-api.md, docs/owner-consent-agent-api.md)
// on `<mqtt domain>/…` of its own domain (device → deviceupdate): desired state and current-state gets
// in; feedback and the retained current state out; owner consent asked on `ownerconsent` and answered on
// `ownerconsentfeedback` (an HMI). Kanto serves it only with thingsEnabled=false; Ledge always: it costs a
// subscription, and lets local tools (`ledge um`) and an HMI drive a gateway that also has a cloud.
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import {
  envelope,
  parseEnvelope,
  parseOwnerConsentFeedback,
  updateTopics,
  type Command,
  type ConsentStatus,
  type DesiredStateFeedback,
  type Inventory,
} from '@ledge/shared/model-update';
import type { Logger } from '@ledge/shared/util';

export interface LocalApiHandlers {
  apply(activityId: string, desiredState: unknown): void;
  /** A current-state get: Kanto's carries an activityId, or none. */
  refresh(activityId: string): void;
  consent(activityId: string, status: ConsentStatus): void;
  /** A desired-state message that is not an envelope: reported (activityId '') with its problems. */
  refused(activityId: string, problems: readonly string[]): void;
}

export interface LocalApi {
  feedback(activityId: string, feedback: DesiredStateFeedback): Promise<void>;
  currentState(activityId: string, inventory: Inventory): Promise<void>;
  askConsent(activityId: string, command: Command): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalApiOptions {
  readonly bus: LocalBusClient;
  readonly domain: string;
  readonly handlers: LocalApiHandlers;
  readonly now: () => number;
  readonly logger: Logger;
}

export function createLocalApi(options: LocalApiOptions): LocalApi {
  const { bus, handlers, now } = options;
  const t = updateTopics(options.domain);
  const log = options.logger.child({ component: 'local-api' });
  const inbound = [t.desiredState, t.currentStateGet, t.ownerConsentFeedback];
  const removers: (() => void)[] = [];
  const out = (topic: string, activityId: string, payload: unknown, retain = false) => bus.publish(topic, JSON.stringify(envelope(activityId, payload, now())), { qos: 1, retain });

  const onDesiredState = (_topic: string, payload: Buffer) => {
    const env = parseEnvelope(payload);
    if (!env.ok) {
      log.warn({ problems: env.problems }, 'malformed desired state message');
      return handlers.refused('', env.problems);
    }
    handlers.apply(env.envelope.activityId, env.envelope.payload);
  };
  const onGet = (_topic: string, payload: Buffer) => {
    // "Just a trigger, no payload" (update-agent-api.md): an empty or unreadable body still asks.
    const env = payload.length === 0 ? undefined : parseEnvelope(payload, { allowEmptyActivity: true });
    handlers.refresh(env?.ok ? env.envelope.activityId : '');
  };
  const onConsent = (_topic: string, payload: Buffer) => {
    const env = parseEnvelope(payload);
    const fb = env.ok ? parseOwnerConsentFeedback(env.envelope.payload, 'payload') : env;
    if (!env.ok || !fb.ok) return void log.warn({ problems: fb.ok ? [] : fb.problems }, 'malformed owner consent feedback ignored');
    handlers.consent(env.envelope.activityId, fb.feedback.status);
  };

  return {
    feedback: (activityId, feedback) => out(t.feedback, activityId, feedback),
    // Retained: whoever subscribes later (an HMI, `ledge um current`) gets the device's state at once.
    currentState: (activityId, inventory) => out(t.currentState, activityId, inventory, true),
    askConsent: (activityId, command) => out(t.ownerConsent, activityId, { command }),
    async start() {
      removers.push(bus.onMessage(t.desiredState, onDesiredState), bus.onMessage(t.currentStateGet, onGet), bus.onMessage(t.ownerConsentFeedback, onConsent));
      await bus.subscribe(inbound, { qos: 1 });
    },
    async close() {
      for (const r of removers.splice(0)) r();
      if (bus.connected) await bus.unsubscribe(inbound).catch((err: unknown) => log.debug({ err }, 'unsubscribe failed'));
    },
  };
}
