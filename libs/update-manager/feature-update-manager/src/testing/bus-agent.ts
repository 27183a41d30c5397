// A scripted update agent on a local bus, as Kanto's containers update agent speaks (docs/update-agent-api.md):
// desired state, commands and current-state gets in; feedback out (QoS 1) and the current state out (QoS 1,
// retained). For the feature spec (fake bus) and the integration spec (Mosquitto).
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { envelope, parseCommand, parseDesiredState, parseEnvelope, updateTopics } from '@ledge/shared/model-update';
import type { ScriptedAgent } from './scripted-agent';

export interface BusAgent {
  /** Every envelope it received, by topic. */
  readonly inbox: { topic: string; activityId: string; payload: unknown }[];
  /** Publishes its current state (retained) with this activityId, as an agent does after a change. */
  publishCurrentState(activityId?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBusAgent(bus: LocalBusClient, agent: ScriptedAgent, now: () => number = Date.now): Promise<BusAgent> {
  const t = updateTopics(agent.domain);
  const inbox: BusAgent['inbox'] = [];
  const send = async (topic: string, activityId: string, payload: unknown, retain = false) => bus.publish(topic, JSON.stringify(envelope(activityId, payload, now())), { qos: 1, retain });
  const answer = async (activityId: string, list: readonly unknown[]) => {
    for (const fb of list) await send(t.feedback, activityId, fb);
  };
  const handlers = [
    bus.onMessage(t.desiredState, (topic, payload) => {
      const env = parseEnvelope(payload);
      if (!env.ok) return;
      inbox.push({ topic, activityId: env.envelope.activityId, payload: env.envelope.payload });
      const ds = parseDesiredState(env.envelope.payload);
      if (ds.ok) return answer(env.envelope.activityId, agent.onDesiredState(ds.desiredState));
    }),
    bus.onMessage(t.command, (topic, payload) => {
      const env = parseEnvelope(payload);
      if (!env.ok) return;
      inbox.push({ topic, activityId: env.envelope.activityId, payload: env.envelope.payload });
      const c = parseCommand(env.envelope.payload);
      if (c.ok) return answer(env.envelope.activityId, agent.onCommand(c.command.command));
    }),
    bus.onMessage(t.currentStateGet, (topic, payload) => {
      const env = parseEnvelope(payload, { allowEmptyActivity: true });
      if (!env.ok) return;
      inbox.push({ topic, activityId: env.envelope.activityId, payload: env.envelope.payload });
      return send(t.currentState, env.envelope.activityId, agent.currentState(), true);
    }),
  ];
  await bus.subscribe([t.desiredState, t.command, t.currentStateGet], { qos: 1 });
  return {
    inbox,
    publishCurrentState: (activityId = '') => send(t.currentState, activityId, agent.currentState(), true),
    async close() {
      for (const h of handlers) h();
      await bus.unsubscribe([t.desiredState, t.command, t.currentStateGet]);
    },
  };
}
