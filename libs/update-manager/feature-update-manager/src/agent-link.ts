// How the manager talks to its update agents (Kanto update-manager docs/update-agent-api.md): per domain,
// the desired state slice and the commands go out on `<mqtt domain>/desiredstate` and
// `/desiredstate/command`, a current-state request on `/currentstate/get`; feedback comes back on
// `/desiredstatefeedback` and the (retained) current state on `/currentstate`. Every message is an
// envelope {activityId, timestamp, payload}; all at QoS 1 (Kanto's paho client publishes at 1). The
// orchestrator sees only this interface; tests hand it a fake (testing/fake-agent-link.ts).
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import {
  envelope,
  parseEnvelope,
  parseFeedback,
  parseInventory,
  updateTopics,
  type DesiredState,
  type DesiredStateCommand,
  type DesiredStateFeedback,
  type Inventory,
} from '@ledge/shared/model-update';
import type { Logger } from '@ledge/shared/util';

export type FeedbackListener = (domain: string, activityId: string, feedback: DesiredStateFeedback) => void;
export type CurrentStateListener = (domain: string, activityId: string, timestamp: number, inventory: Inventory) => void;

export interface AgentLink {
  sendDesiredState(domain: string, activityId: string, desiredState: DesiredState): Promise<void>;
  sendCommand(domain: string, activityId: string, command: DesiredStateCommand): Promise<void>;
  requestCurrentState(domain: string, activityId: string): Promise<void>;
  onFeedback(listener: FeedbackListener): () => void;
  onCurrentState(listener: CurrentStateListener): () => void;
  /** Subscribes to every agent's feedback and current state (the retained ones arrive then). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface BusAgentLinkOptions {
  readonly bus: LocalBusClient;
  readonly domains: readonly string[];
  readonly now?: () => number;
  readonly logger: Logger;
}

export function createBusAgentLink(options: BusAgentLinkOptions): AgentLink {
  const { bus } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'agent-link' });
  const topics = new Map(options.domains.map((d) => [d, updateTopics(d)] as const));
  const feedbackListeners = new Set<FeedbackListener>();
  const stateListeners = new Set<CurrentStateListener>();
  const removers: (() => void)[] = [];
  const filters = [...topics.values()].flatMap((t) => [t.feedback, t.currentState]);

  const topicsOf = (domain: string) => {
    const t = topics.get(domain);
    if (t === undefined) throw new Error(`no update agent for domain ${domain}`);
    return t;
  };
  const send = (topic: string, activityId: string, payload: unknown) => bus.publish(topic, JSON.stringify(envelope(activityId, payload, now())), { qos: 1 });

  const onFeedback = (domain: string) => (topic: string, payload: Buffer) => {
    const env = parseEnvelope(payload);
    const fb = env.ok ? parseFeedback(env.envelope.payload, 'payload') : env;
    if (!env.ok || !fb.ok) return void log.warn({ domain, topic, problems: fb.ok ? [] : fb.problems }, 'malformed agent feedback ignored');
    for (const l of feedbackListeners) l(domain, env.envelope.activityId, fb.feedback);
  };
  const onState = (domain: string) => (topic: string, payload: Buffer) => {
    if (payload.length === 0) return; // a cleared retained message
    const env = parseEnvelope(payload, { allowEmptyActivity: true });
    const inv = env.ok ? parseInventory(env.envelope.payload, 'payload') : env;
    if (!env.ok || !inv.ok) return void log.warn({ domain, topic, problems: inv.ok ? [] : inv.problems }, 'malformed agent current state ignored');
    for (const l of stateListeners) l(domain, env.envelope.activityId, env.envelope.timestamp, inv.inventory);
  };

  return {
    sendDesiredState: (domain, activityId, desiredState) => send(topicsOf(domain).desiredState, activityId, desiredState),
    sendCommand: (domain, activityId, command) => send(topicsOf(domain).command, activityId, command),
    // Kanto sends the get with a null payload: "just a trigger".
    requestCurrentState: (domain, activityId) => send(topicsOf(domain).currentStateGet, activityId, null),
    onFeedback(l) {
      feedbackListeners.add(l);
      return () => feedbackListeners.delete(l);
    },
    onCurrentState(l) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    async start() {
      for (const [domain, t] of topics) removers.push(bus.onMessage(t.feedback, onFeedback(domain)), bus.onMessage(t.currentState, onState(domain)));
      await bus.subscribe(filters, { qos: 1 });
    },
    async close() {
      for (const r of removers.splice(0)) r();
      feedbackListeners.clear();
      stateListeners.clear();
      if (bus.connected) await bus.unsubscribe(filters).catch((err: unknown) => log.debug({ err }, 'unsubscribe failed'));
    },
  };
}
