// The update-manager app on the fake local bus, with a scripted containers agent on the bus and fake time:
// Kanto's local API topics and payloads, the UpdateManager feature as the connector delivers its messages,
// owner consent both ways, stopping mid-activity, reboot, and config refusals.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { envelope } from '@ledge/shared/model-update';
import { ConfigError, prepareConfig } from '@ledge/shared/util';
import { captureLogger, createFakeTime } from '@ledge/shared/util/testing';
import { updateManagerEntry } from './entry';
import type { UpdateManagerConfig } from './settings';
import { createScriptedAgent, inboxRequest, readJson, startBusAgent, type AgentScript, type DittoMessage, type LocalEnvelope } from './testing';
import { createUpdateManager } from './update-manager';

const ID = '{"deviceId":"demo:gw","tenantId":"demo"}';
const DESIRED = { domains: [{ id: 'containers', components: [{ id: 'hello', version: '1.0', config: [{ key: 'image', value: 'docker.io/library/hello-world:latest' }] }] }] };

const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
};

async function setup(t: TestContext, o: { env?: Record<string, string>; script?: AgentScript; devDir?: string } = {}) {
  const bus = createFakeLocalBus();
  const log = captureLogger();
  const time = createFakeTime();
  const client = bus.createClient({ clientId: 'um', logger: log.logger });
  const agentClient = bus.createClient({ clientId: 'containers-agent' });
  await Promise.all([client.start(), agentClient.start()]);
  const scripted = createScriptedAgent('containers', o.script);
  const agent = await startBusAgent(agentClient, scripted, time.clock.now);
  const config = prepareConfig(updateManagerEntry, { env: o.env ?? {}, configDir: '/nonexistent', ...(o.devDir ? { devDir: o.devDir } : {}) }).config as UpdateManagerConfig;
  const reboots: number[] = [];
  let cid = 0;
  const app = createUpdateManager(config, { logger: log.logger, bus: client, scheduler: time.scheduler, now: time.clock.now, reboot: async () => void reboots.push(time.clock.now()), version: '1.2.3', newCorrelationId: () => `cid-${++cid}` });
  t.after(async () => {
    await app.close();
    await Promise.all([client.close(), agentClient.close()]);
  });
  await app.start();
  await settle();
  const on = (topic: string) => bus.published.filter((p) => p.clientId === 'um' && p.topic === topic);
  const local = (topic: string) => on(topic).map((p) => readJson<LocalEnvelope>(p.payload));
  const feedback = (activityId: string) => local('deviceupdate/desiredstatefeedback').filter((e) => e.activityId === activityId).map((e) => e.payload);
  const events = () => on('event').map((p) => readJson<DittoMessage>(p.payload));
  const outbox = (subject: string) => events().filter((e) => e.path === `/features/UpdateManager/outbox/messages/${subject}`);
  const responses = () => bus.published.filter((p) => p.clientId === 'um' && p.topic.startsWith('command///res/')).map((p) => ({ topic: p.topic, env: readJson<DittoMessage>(p.payload) }));
  const request = async (op: string, value: unknown, cid = `req-${op}`, reqId = cid) => {
    bus.inject(`command///req/${reqId}/${op}`, inboxRequest({ thing: 'demo/gw', op, correlationId: cid, value }));
    await settle();
    return responses().find((r) => r.topic.startsWith(`command///res/${reqId}/`));
  };
  const publish = async (topic: string, activityId: string, payload: unknown) => {
    bus.inject(topic, JSON.stringify(envelope(activityId, payload, time.clock.now())), { qos: 1 });
    await settle();
  };
  return { bus, log, time, app, agent, scripted, reboots, on, local, feedback, events, outbox, responses, request, publish, thing: async () => (bus.inject('edge/thing/response', ID), settle()) };
}

describe('update manager: local API (Kanto docs/update-manager-api.md)', () => {
  it('a desired state on deviceupdate/desiredstate runs through the agent; feedback and the retained current state on Kanto\'s topics', async (t) => {
    const s = await setup(t);
    await s.publish('deviceupdate/desiredstate', 'act-1', DESIRED);
    assert.deepEqual(s.agent.inbox.map((m) => [m.topic, m.activityId]).slice(1), [
      ['containersupdate/desiredstate', 'act-1'],
      ['containersupdate/desiredstate/command', 'act-1'],
      ['containersupdate/desiredstate/command', 'act-1'],
      ['containersupdate/desiredstate/command', 'act-1'],
      ['containersupdate/desiredstate/command', 'act-1'],
      ['containersupdate/currentstate/get', 'act-1'],
    ]);
    assert.deepEqual(s.agent.inbox[1]?.payload, DESIRED, 'the domain\'s slice');
    assert.deepEqual(s.agent.inbox.slice(2, 6).map((m) => m.payload), [{ command: 'DOWNLOAD' }, { command: 'UPDATE' }, { command: 'ACTIVATE' }, { command: 'CLEANUP' }]);
    assert.deepEqual(s.feedback('act-1').map((f) => f.status), ['IDENTIFYING', 'IDENTIFIED', 'RUNNING', 'COMPLETED'], 'RUNNING at most once a minute');
    assert.deepEqual(s.feedback('act-1').at(-1), { status: 'COMPLETED', actions: [{ component: { id: 'containers:hello', version: '1.0' }, status: 'UPDATE_SUCCESS' }] });
    assert.ok(s.on('deviceupdate/desiredstatefeedback').every((p) => p.qos === 1 && !p.retain));
    const state = s.on('deviceupdate/currentstate').at(-1)!;
    assert.deepEqual([state.qos, state.retain], [1, true]);
    const inv = readJson<LocalEnvelope>(state.payload);
    assert.equal(inv.activityId, 'act-1');
    assert.deepEqual((inv.payload['softwareNodes'] as { id: string }[]).map((n) => n.id), ['device-update-manager', 'containers-update-agent', 'containers:hello']);
    assert.deepEqual(inv.payload['associations'], [{ sourceId: 'device-update-manager', targetId: 'containers-update-agent' }, { sourceId: 'containers-update-agent', targetId: 'containers:hello' }]);
  });

  it('a current-state get is answered with the asker\'s activityId; an agent\'s own change comes currentStateDelay later', async (t) => {
    const s = await setup(t);
    const before = s.on('deviceupdate/currentstate').length;
    assert.equal(before, 1, 'the initial report');
    assert.match(s.local('deviceupdate/currentstate')[0]!.activityId, /^initial-current-state-\d+$/);
    await s.publish('deviceupdate/currentstate/get', 'get-1', null);
    assert.equal(s.local('deviceupdate/currentstate').at(-1)?.activityId, 'get-1');
    await s.agent.publishCurrentState();
    assert.equal(s.on('deviceupdate/currentstate').length, 2, 'not yet');
    await s.time.advance(30_000);
    await settle();
    assert.deepEqual(s.local('deviceupdate/currentstate').map((e) => e.activityId).slice(2), ['']);
  });

  it('a message that is not an envelope is answered IDENTIFICATION_FAILED with the problem; a bad desired state names the field', async (t) => {
    const s = await setup(t);
    s.bus.inject('deviceupdate/desiredstate', '{"timestamp":1}', { qos: 1 });
    await settle();
    assert.deepEqual(s.feedback(''), [{ status: 'IDENTIFICATION_FAILED', message: 'activityId: missing' }]);
    await s.publish('deviceupdate/desiredstate', 'act-2', { domains: [{ id: 'containers', components: [{ id: 'a', config: [{ key: 'memory', value: 5 }] }] }] });
    assert.deepEqual(s.feedback('act-2'), [{ status: 'IDENTIFICATION_FAILED', message: 'desiredState.domains[0].components[0].config[0].value: not a string (write "5")' }]);
  });
});

describe('update manager: the UpdateManager feature (Kanto things/update_manager_feature.go)', () => {
  it('registers with the definition and the current state; apply → 204, then feedback in the outbox', async (t) => {
    const s = await setup(t);
    await s.thing();
    const reg = s.events().find((e) => e.path === '/features/UpdateManager')!;
    assert.deepEqual(reg.value['definition'], ['com.bosch.iot.suite.edge.update:UpdateManager:1.0.0']);
    assert.equal((reg.value['properties'] as Record<string, unknown>)['domain'], 'device');
    assert.ok((reg.value['properties'] as Record<string, unknown>)['inventory'], 'the current state known at registration');
    const r = await s.request('apply', { activityId: 'c1', timestamp: s.time.clock.now(), desiredState: DESIRED });
    assert.equal(r?.topic, 'command///res/req-apply/204');
    const fb = s.outbox('feedback').map((e) => e.value as { activityId: string; timestamp: number; desiredStateFeedback: { status: string } });
    assert.deepEqual(fb.map((v) => [v.activityId, v.desiredStateFeedback.status]), [['c1', 'IDENTIFYING'], ['c1', 'IDENTIFIED'], ['c1', 'RUNNING'], ['c1', 'COMPLETED']]);
    assert.equal(fb[0]!.timestamp, s.time.clock.now());
    const props = s.events().filter((e) => e.path === '/features/UpdateManager/properties').at(-1)!;
    assert.deepEqual(Object.keys(props.value).sort(), ['activityId', 'domain', 'inventory', 'timestamp']);
    assert.equal(props.value['activityId'], 'c1');
  });

  it('apply without a desired state or with one that does not parse: 400 messages:parameter.invalid naming the field, and IDENTIFICATION_FAILED feedback', async (t) => {
    const s = await setup(t);
    await s.thing();
    const missing = await s.request('apply', { activityId: 'c2', timestamp: 1 }, 'x1');
    assert.deepEqual([missing?.env.status, missing?.env.value['error']], [400, 'messages:parameter.invalid']);
    assert.match(String(missing?.env.value['message']), /desiredState: missing/);
    const bad = await s.request('apply', { activityId: 'c3', desiredState: { domains: [{ id: 'containers', components: [{ id: 'a', parameters: [] }] }] } }, 'x2');
    assert.match(String(bad?.env.value['message']), /desiredState\.domains\[0\]\.components\[0\]: unknown key 'parameters'/);
    assert.deepEqual(s.feedback('c3').map((f) => f.status), ['IDENTIFICATION_FAILED']);
    assert.equal(s.outbox('feedback').filter((e) => e.value['activityId'] === 'c3').length, 1);
    assert.equal(s.agent.inbox.filter((m) => m.topic === 'containersupdate/desiredstate').length, 0);
  });

  it('refresh → 204 and the properties with its activityId', async (t) => {
    const s = await setup(t);
    await s.thing();
    const r = await s.request('refresh', { activityId: 'r1', timestamp: 5 });
    assert.equal(r?.env.status, 204);
    assert.equal(s.events().filter((e) => e.path === '/features/UpdateManager/properties').at(-1)?.value['activityId'], 'r1');
    assert.equal((await s.request('refresh', { activityId: 7 }, 'x3'))?.env.status, 400);
  });

  it('owner consent: asked in the outbox (fresh correlation-id, response-required) and locally; only the matching answer counts', async (t) => {
    const s = await setup(t, { env: { LEDGE_UPDATE_MANAGER_OWNER_CONSENT_COMMANDS: 'DOWNLOAD' } });
    await s.thing();
    await s.request('apply', { activityId: 'c4', timestamp: 1, desiredState: DESIRED });
    const ask = s.outbox('consent')[0]!;
    assert.deepEqual(ask.value, { activityId: 'c4', timestamp: s.time.clock.now(), ownerConsent: { command: 'DOWNLOAD' } });
    assert.deepEqual([ask.headers['correlation-id'], ask.headers['response-required']], ['cid-1', true]);
    assert.deepEqual(s.local('deviceupdate/ownerconsent').map((e) => [e.activityId, e.payload]), [['c4', { command: 'DOWNLOAD' }]]);
    const wrong = await s.request('consent', { activityId: 'c4', timestamp: 2, ownerConsentFeedback: { status: 'APPROVED' } }, 'other-cid');
    assert.deepEqual([wrong?.env.status, wrong?.env.value['error']], [400, 'messages:parameter.invalid']);
    assert.match(String(wrong?.env.value['message']), /correlation id mismatch/);
    const right = await s.request('consent', { activityId: 'c4', timestamp: 2, ownerConsentFeedback: { status: 'APPROVED' } }, 'cid-1', 'q9');
    assert.equal(right?.env.status, 204);
    assert.equal(s.feedback('c4').at(-1)?.status, 'COMPLETED');
    assert.equal((await s.request('consent', { activityId: 'c4', timestamp: 3, ownerConsentFeedback: { status: 'APPROVED' } }, 'cid-1', 'q10'))?.env.status, 400, 'answered already');

    await s.publish('deviceupdate/desiredstate', 'c5', DESIRED);
    await s.publish('deviceupdate/ownerconsentfeedback', 'c5', { status: 'DENIED' });
    assert.deepEqual(s.feedback('c5').at(-1), { status: 'INCOMPLETE', message: 'the owner denied DOWNLOAD', actions: [{ component: { id: 'containers:hello', version: '1.0' }, status: 'IDENTIFIED' }] });
  });

  it('thingsEnabled=false: no feature; the local API alone', async (t) => {
    const s = await setup(t, { env: { LEDGE_UPDATE_MANAGER_THINGS_ENABLED: 'false' } });
    await s.thing();
    await s.publish('deviceupdate/desiredstate', 'l1', DESIRED);
    assert.equal(s.feedback('l1').at(-1)?.status, 'COMPLETED');
    assert.equal(s.events().length, 0);
    assert.equal(s.on('edge/thing/request').length, 0);
  });
});

describe('update manager: lifecycle and reboot', () => {
  it('stopping with an activity running ends it INCOMPLETE', async (t) => {
    const s = await setup(t, { script: { steps: { DOWNLOAD: 'stall' } } });
    await s.publish('deviceupdate/desiredstate', 'act-9', DESIRED);
    await s.app.close();
    await settle();
    assert.deepEqual([s.feedback('act-9').at(-1)?.status, s.feedback('act-9').at(-1)?.message], ['INCOMPLETE', 'the update manager stopped']);
  });

  it('reboots rebootAfter after a COMPLETED activity whose agent requires it; not with rebootEnabled off (ledge run --dev)', async (t) => {
    const s = await setup(t, { env: { LEDGE_UPDATE_MANAGER_REBOOT_REQUIRED: 'containers' } });
    await s.publish('deviceupdate/desiredstate', 'r1', DESIRED);
    assert.equal(s.feedback('r1').at(-1)?.status, 'COMPLETED');
    const done = s.time.clock.now();
    await s.time.advance(29_999);
    assert.deepEqual(s.reboots, []);
    await s.time.advance(1);
    await settle();
    assert.deepEqual(s.reboots, [done + 30_000]);
    assert.ok(s.log.lines.some((l) => l['msg'] === 'rebooting to finish the update' && l['afterMs'] === 30_000));

    const dev = await setup(t, { env: { LEDGE_UPDATE_MANAGER_AGENTS: '{"containers":{"rebootRequired":true}}' }, devDir: '/tmp/ledge-dev' });
    await dev.publish('deviceupdate/desiredstate', 'r2', DESIRED);
    await dev.time.advance(60_000);
    await settle();
    assert.deepEqual(dev.reboots, []);
    assert.ok(dev.log.lines.some((l) => l['msg'] === 'a reboot is required to finish the update, but rebootEnabled is off'));
  });

  it('refuses agents that clash with its own topics and a rebootRequired naming no agent (exit 2)', () => {
    const log = captureLogger();
    for (const [env, re] of [
      [{ LEDGE_UPDATE_MANAGER_AGENTS: '["containers","device"]' }, /agents.*'device' would use the manager's own topics \(deviceupdate/],
      [{ LEDGE_UPDATE_MANAGER_REBOOT_REQUIRED: 'os' }, /rebootRequired.*os: not among the agents/],
    ] as const) {
      const config = prepareConfig(updateManagerEntry, { env, configDir: '/nonexistent' }).config as UpdateManagerConfig;
      assert.throws(() => createUpdateManager(config, { logger: log.logger, bus: createFakeLocalBus().createClient() }), (e) => e instanceof ConfigError && re.test(e.message));
    }
  });
});
