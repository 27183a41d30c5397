// The update manager's app entry (withHealth, real local-bus clients) against a real Mosquitto, with
// scripted update agents on their own connections and the test playing the connector: a desired state over
// the local API and over the cloud path (a Ditto inbox message on command///req/… as the connector delivers
// it), checked topic by topic and payload by payload as in Kanto's docs (update-manager-api.md,
// update-agent-api.md, things/update_manager_feature.go).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createLocalBusClient, type LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { findMosquitto, startMosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { envelope } from '@ledge/shared/model-update';
import { prepareConfig } from '@ledge/shared/util';
import { captureLogger, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { updateManagerEntry } from './entry';
import { createScriptedAgent, inboxRequest, readJson, startBusAgent, type AgentScript, type DittoMessage, type LocalEnvelope } from './testing';

const skip = skipUnlessTools('mosquitto', findMosquitto() === undefined);
const DESIRED = {
  baselines: [{ title: 'hello', components: ['containers:hello'] }],
  domains: [
    { id: 'containers', components: [{ id: 'hello', version: '1.0', config: [{ key: 'image', value: 'docker.io/library/hello-world:latest' }] }] },
    { id: 'os', components: [{ id: 'rootfs', version: '2.0' }] },
  ],
};


async function client(t: TestContext, url: string, id: string): Promise<LocalBusClient> {
  const c = createLocalBusClient({ url, clientId: `${id}-${randomBytes(3).toString('hex')}` });
  t.after(() => c.close());
  await c.start();
  await c.waitForConnection();
  return c;
}

async function fixture(t: TestContext, scripts: Record<string, AgentScript> = {}) {
  const broker = await startMosquitto(t);
  const cloud = await client(t, broker.url, 'connector');
  const received: { topic: string; payload: Buffer; retain: boolean }[] = [];
  cloud.onMessage('edge/thing/request', () => void cloud.publish('edge/thing/response', JSON.stringify({ deviceId: 'demo:device', tenantId: 'demo' }), { qos: 1 }));
  for (const f of ['event', 'command///res/#', 'deviceupdate/#', 'edge/health/update-manager']) cloud.onMessage(f, (topic, payload, p) => void received.push({ topic, payload, retain: p.retain }));
  await cloud.subscribe(['edge/thing/request', 'event', 'command///res/#', 'deviceupdate/#', 'edge/health/update-manager'], { qos: 1 });
  const agents = await client(t, broker.url, 'agents');
  const scripted = { containers: createScriptedAgent('containers', scripts['containers']), os: createScriptedAgent('os', scripts['os']) };
  const busAgents = { containers: await startBusAgent(agents, scripted.containers), os: await startBusAgent(agents, scripted.os) };
  const log = captureLogger('update-manager', 'debug');
  const { config } = prepareConfig(updateManagerEntry, {
    env: { LEDGE_UPDATE_MANAGER_LOCAL_ADDRESS: broker.url, LEDGE_UPDATE_MANAGER_AGENTS: '["containers","os"]', LEDGE_UPDATE_MANAGER_READ_TIMEOUT: '5s', LEDGE_UPDATE_MANAGER_REBOOT_ENABLED: 'false' },
    configDir: '/nonexistent',
  });
  const app = updateManagerEntry.create(config, { logger: log.logger });
  t.after(() => app.close());
  await app.start();
  const on = (topic: string) => received.filter((r) => r.topic === topic);
  const parsed = <T>(topic: string) => on(topic).map((r) => readJson<T>(r.payload));
  const feedback = (activityId: string) => parsed<LocalEnvelope>('deviceupdate/desiredstatefeedback').filter((e) => e.activityId === activityId).map((e) => e.payload);
  const final = (activityId: string) => waitFor(() => feedback(activityId).find((f) => ['COMPLETED', 'INCOMPLETE', 'IDENTIFICATION_FAILED'].includes(f.status ?? '')), 15_000, `the final feedback of ${activityId}`);
  const events = () => parsed<DittoMessage>('event');
  // start() does not wait for the broker: the first current state says the manager is connected and listening.
  await waitFor(() => on('deviceupdate/currentstate').length > 0, 10_000, 'the initial current state');
  return { broker, cloud, agents, scripted, busAgents, log, on, parsed, feedback, final, events };
}

describe('update manager (app entry, Mosquitto, scripted agents)', { skip }, () => {
  it('local API: deviceupdate/desiredstate → each agent its slice and the commands in order → COMPLETED; current state retained', async (t) => {
    const f = await fixture(t);
    const activityId = randomUUID();
    await f.cloud.publish('deviceupdate/desiredstate', JSON.stringify(envelope(activityId, DESIRED, Date.now())), { qos: 1 });
    const done = await f.final(activityId);
    assert.equal(done.status, 'COMPLETED', JSON.stringify(f.feedback(activityId)));
    assert.deepEqual(
      f.feedback(activityId).map((x) => x.status).filter((s, i, all) => s !== 'RUNNING' || all[i - 1] !== 'RUNNING'),
      ['IDENTIFYING', 'IDENTIFIED', 'RUNNING', 'COMPLETED'],
    );
    assert.deepEqual(done.actions?.map((a) => [a.component.id, a.status]), [['containers:hello', 'UPDATE_SUCCESS'], ['os:rootfs', 'UPDATE_SUCCESS']]);
    // The final feedback goes out before the manager asks the agents for their current state (its refresh
    // after the activity): wait for that request to arrive, then check the whole sequence each agent got.
    const asked = (d: 'containers' | 'os') => f.busAgents[d].inbox.some((m) => m.activityId === activityId && m.topic.endsWith('/currentstate/get'));
    await waitFor(() => asked('containers') && asked('os'), 10_000, 'the current-state request after the activity, at both agents');
    for (const d of ['containers', 'os'] as const) {
      const inbox = f.busAgents[d].inbox.filter((m) => m.activityId === activityId);
      assert.deepEqual(inbox.map((m) => m.topic.slice(m.topic.indexOf('/') + 1)), ['desiredstate', 'desiredstate/command', 'desiredstate/command', 'desiredstate/command', 'desiredstate/command', 'currentstate/get'], d);
      assert.deepEqual(inbox.slice(1, 5).map((m) => (m.payload as { command: string }).command), ['DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP']);
    }
    // Kanto's SplitPerDomains: the containers agent gets its domain and the baselines cut to it.
    assert.deepEqual(f.busAgents.containers.inbox.find((m) => m.activityId === activityId)?.payload, { domains: [DESIRED.domains[0]], baselines: [{ title: 'hello', components: ['containers:hello'] }] });
    assert.deepEqual(f.busAgents.os.inbox.find((m) => m.activityId === activityId)?.payload, { domains: [DESIRED.domains[1]] });
    // After the activity the manager refreshes the current state and reports it with the activity's id;
    // a client that subscribes later gets it retained.
    await waitFor(() => f.parsed<LocalEnvelope>('deviceupdate/currentstate').some((e) => e.activityId === activityId), 10_000, "the activity's current state");
    const late = await client(t, f.broker.url, 'late');
    let retained: LocalEnvelope | undefined;
    late.onMessage('deviceupdate/currentstate', (_t, p, pkt) => void (pkt.retain && (retained = readJson<LocalEnvelope>(p))));
    await late.subscribe('deviceupdate/currentstate', { qos: 1 });
    const got = await waitFor(() => retained, 5000, 'the retained current state');
    assert.equal(got.activityId, activityId);
    assert.deepEqual(got.payload.softwareNodes?.map((n) => n.id), ['device-update-manager', 'containers-update-agent', 'containers:hello', 'os-update-agent', 'os:rootfs']);
    const health = await waitFor(() => f.parsed<{ status: string; lastOperation?: { correlationId: string; status: string } }>('edge/health/update-manager').find((h) => h.lastOperation?.correlationId === activityId), 5000, 'health with the activity');
    assert.deepEqual([health.status, health.lastOperation?.status], ['up', 'COMPLETED']);
  });

  it('cloud: the UpdateManager feature registered; apply as the connector delivers it → 204, outbox feedback, the properties; a failing domain rolls both back', async (t) => {
    const f = await fixture(t, { os: { steps: { ACTIVATE: 'failure' } } });
    const reg = await waitFor(() => f.events().find((e) => e.path === '/features/UpdateManager'), 10_000, 'the feature registration');
    assert.equal(reg.topic, 'demo/device/things/twin/commands/modify');
    assert.deepEqual(reg.value['definition'], ['com.bosch.iot.suite.edge.update:UpdateManager:1.0.0']);
    const apply = async (value: unknown) => {
      const reqId = randomUUID();
      await f.cloud.publish(`command///req/${reqId}/apply`, inboxRequest({ thing: 'demo/device', op: 'apply', correlationId: reqId, value, headers: { 'content-type': 'application/json' } }), { qos: 1 });
      return waitFor(() => f.on(`command///res/${reqId}/204`)[0] ?? f.on(`command///res/${reqId}/400`)[0], 10_000, 'the response');
    };
    const activityId = randomUUID();
    const ok = await apply({ activityId, timestamp: Date.now(), desiredState: DESIRED });
    assert.match(ok.topic, /\/204$/);
    const outbox = () => f.events().filter((e) => e.path === '/features/UpdateManager/outbox/messages/feedback' && e.value['activityId'] === activityId);
    const last = await waitFor(() => outbox().find((e) => (e.value['desiredStateFeedback'] as { status: string }).status === 'INCOMPLETE'), 15_000, 'INCOMPLETE in the outbox');
    assert.equal(last.topic, 'demo/device/things/live/messages/feedback');
    assert.deepEqual(Object.keys(last.value).sort(), ['activityId', 'desiredStateFeedback', 'timestamp']);
    assert.equal((last.value['desiredStateFeedback'] as { message: string }).message, 'os: ACTIVATION_FAILURE: ACTIVATE failed in os; rolled back: containers, os');
    for (const d of ['containers', 'os']) assert.deepEqual(f.scripted[d as 'os'].received, ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'ROLLBACK', 'CLEANUP'], d);
    assert.equal(f.feedback(activityId).at(-1)?.status, 'INCOMPLETE', 'the local API saw it too');
    await waitFor(() => f.events().find((e) => e.path === '/features/UpdateManager/properties' && e.value['activityId'] === activityId), 10_000, 'the properties of the activity');

    const bad = await apply({ activityId: 'bad-1', timestamp: 1, desiredState: { domains: [{ id: 'containers', components: [{ id: 'a', parameters: [] }] }] } });
    assert.match(bad.topic, /\/400$/);
    const err = readJson<DittoMessage>(bad.payload);
    assert.equal(err.value['error'], 'messages:parameter.invalid');
    assert.match(String(err.value['message']), /desiredState\.domains\[0\]\.components\[0\]: unknown key 'parameters'/);
  });
});
