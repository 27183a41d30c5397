// The exchanges `ledge um` has with the update manager over its local API (Kanto update-manager
// docs/update-manager-api.md, owner-consent-agent-api.md): envelopes on <domain>update/…, QoS 1.
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import {
  envelope,
  FINAL_STATUSES,
  parseEnvelope,
  parseFeedback,
  parseInventory,
  type ConsentStatus,
  type DesiredState,
  type DesiredStateFeedback,
  type Inventory,
  type UpdateTopics,
} from '@ledge/shared/model-update';

/** The manager did not answer in time (exit 1). */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

export interface FeedbackEvent {
  readonly activityId: string;
  readonly timestamp: number;
  readonly feedback: DesiredStateFeedback;
}

/** Calls `fn` for every well-formed feedback on the manager's feedback topic; resolves once subscribed. */
export async function onFeedback(bus: LocalBusClient, topics: UpdateTopics, fn: (e: FeedbackEvent) => void): Promise<() => void> {
  const remove = bus.onMessage(topics.feedback, (_t, payload) => {
    const env = parseEnvelope(payload, { allowEmptyActivity: true });
    const fb = env.ok ? parseFeedback(env.envelope.payload, 'payload') : env;
    if (env.ok && fb.ok) fn({ activityId: env.envelope.activityId, timestamp: env.envelope.timestamp, feedback: fb.feedback });
  });
  await bus.subscribe(topics.feedback, { qos: 1 });
  return remove;
}

/**
 * Publishes the desired state and follows its activity until a final status. The manager answers
 * IDENTIFYING (or a refusal) at once, so no answer in `firstAnswerMs` means it is not running, or that the
 * broker dropped the desired state (`dropCause`: MQTT 3.1.1 acknowledges a denied publish as any other);
 * after that its own timeouts (phaseTimeout, ownerConsentTimeout) bound the wait.
 */
export async function applyDesiredState(
  bus: LocalBusClient,
  topics: UpdateTopics,
  o: { activityId: string; desiredState: DesiredState; firstAnswerMs: number; now: () => number; onFeedback: (fb: DesiredStateFeedback) => void; dropCause?: string },
): Promise<DesiredStateFeedback> {
  let settle!: (fb: DesiredStateFeedback) => void;
  let fail!: (err: Error) => void;
  const done = new Promise<DesiredStateFeedback>((resolve, reject) => ([settle, fail] = [resolve, reject]));
  let answered = false;
  const remove = await onFeedback(bus, topics, (e) => {
    if (e.activityId !== o.activityId) return;
    answered = true;
    o.onFeedback(e.feedback);
    if (FINAL_STATUSES.has(e.feedback.status)) settle(e.feedback);
  });
  const why = o.dropCause === undefined ? 'is ledge-update-manager running (ledge status)?' : `likely cause: ${o.dropCause}; else is ledge-update-manager running (ledge status)?`;
  const timer = setTimeout(() => answered || fail(new NoAnswerError(`no answer from the update manager on ${topics.feedback} within ${o.firstAnswerMs / 1000} s; ${why}`)), o.firstAnswerMs);
  try {
    await bus.publish(topics.desiredState, JSON.stringify(envelope(o.activityId, o.desiredState, o.now())), { qos: 1 });
    return await done;
  } finally {
    clearTimeout(timer);
    remove();
  }
}

/**
 * Asks for the current state and waits for the one answering this get; after `timeoutMs` the retained one
 * (the last the manager reported) is taken, flagged as not fresh; undefined when there is none.
 */
export async function currentState(bus: LocalBusClient, topics: UpdateTopics, o: { activityId: string; timeoutMs: number; now: () => number }): Promise<{ inventory: Inventory; fresh: boolean } | undefined> {
  let retained: Inventory | undefined;
  let settle!: (v: { inventory: Inventory; fresh: boolean } | undefined) => void;
  const done = new Promise<{ inventory: Inventory; fresh: boolean } | undefined>((resolve) => (settle = resolve));
  const remove = bus.onMessage(topics.currentState, (_t, payload) => {
    const env = parseEnvelope(payload, { allowEmptyActivity: true });
    const inv = env.ok ? parseInventory(env.envelope.payload, 'payload') : env;
    if (!env.ok || !inv.ok) return;
    if (env.envelope.activityId === o.activityId) settle({ inventory: inv.inventory, fresh: true });
    else retained = inv.inventory;
  });
  const timer = setTimeout(() => settle(retained && { inventory: retained, fresh: false }), o.timeoutMs);
  try {
    await bus.subscribe(topics.currentState, { qos: 1 });
    await bus.publish(topics.currentStateGet, JSON.stringify(envelope(o.activityId, null, o.now())), { qos: 1 });
    return await done;
  } finally {
    clearTimeout(timer);
    remove();
  }
}

/** The owner's answer for an activity waiting for consent (what an HMI sends). */
export async function sendConsent(bus: LocalBusClient, topics: UpdateTopics, o: { activityId: string; status: ConsentStatus; now: () => number }): Promise<void> {
  await bus.publish(topics.ownerConsentFeedback, JSON.stringify(envelope(o.activityId, { status: o.status }, o.now())), { qos: 1 });
}
