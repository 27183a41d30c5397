// The Ditto agent as AutoUploadable uses it. Its outbox messages need a header the shared agent does
// not send: the upload `request` carries `reply-to: command/<tenant>` (§6.2, §3.1), and
// DittoAgent.message() (data-access-mqtt) takes no headers. Until it does, withMessageHeaders()
// publishes the same envelope (buildLiveMessage) on the same topic (eventTopic) with the same QoS 1 as
// the agent, plus the given headers; then app.ts can hand the agent over as it is.
import { agentAddress, eventTopic, type DittoAgent, type LocalBusClient } from '@ledge/data-access-mqtt';
import { buildLiveMessage, parseThingId, type DittoHeaders } from '@ledge/model-ditto';

export interface UploadAgent extends Pick<DittoAgent, 'handle' | 'modify' | 'onThing'> {
  /** Live message from the feature's outbox; `headers` are added to (and override) the defaults. */
  message(featureId: string, subject: string, value: unknown, headers?: DittoHeaders): Promise<void>;
}

/** The agent, with a `message` that sends extra headers (file-upload serves the gateway thing only). */
export function withMessageHeaders(agent: DittoAgent, bus: Pick<LocalBusClient, 'publish'>): UploadAgent {
  return {
    handle: (feature, handler, operations) => agent.handle(feature, handler, operations),
    modify: (path, value) => agent.modify(path, value),
    onThing: (listener) => agent.onThing(listener),
    async message(featureId, subject, value, headers) {
      const identity = agent.identity;
      const thing = parseThingId(agent.thingId);
      // No identity yet: the agent's own message() refuses with its error (no thing identity yet).
      if (identity === undefined || !thing.ok) return agent.message(featureId, subject, value);
      const topic = eventTopic(agentAddress(identity.deviceId, identity.tenantId, ''));
      const envelope = buildLiveMessage({ thingId: thing.thingId, featureId, subject, value, ...(headers !== undefined ? { headers } : {}) });
      await bus.publish(topic, JSON.stringify(envelope), { qos: 1 });
    },
  };
}
