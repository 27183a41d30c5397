import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Inventory } from '@ledge/shared/model-update';
import { loadConfig } from '@ledge/shared/util';
import {
  applicableDesiredState,
  deviceInventory,
  managerNode,
  parseAgents,
  parseApplyArgs,
  parseConsentArgs,
  parseDurationMs,
  parseRefreshArgs,
  reportedActions,
  updateManagerSpec,
} from './index';

const noFiles = (p: string): string => {
  throw Object.assign(new Error(p), { code: 'ENOENT' });
};
const load = (env: Record<string, string>, file?: Record<string, unknown>) =>
  loadConfig({ app: 'update-manager', spec: updateManagerSpec, env, readFile: (p) => (file && p.endsWith('/update-manager.json') ? JSON.stringify(file) : noFiles(p)) });

describe('update-manager config', () => {
  it("has Kanto's defaults", () => {
    const c = load({}).config;
    assert.equal(c.domain, 'device');
    assert.equal(c.thingsEnabled, true);
    assert.deepEqual(c.agents, ['containers']);
    assert.equal(c.rebootEnabled, true);
    assert.deepEqual([c.rebootAfter, c.phaseTimeout, c.readTimeout, c.ownerConsentTimeout, c.currentStateDelay, c.reportFeedbackInterval], ['30s', '10m', '1m', '30m', '30s', '1m']);
    assert.deepEqual(c.ownerConsentCommands, []);
    assert.equal(c.rollbackOnFailure, true);
  });
  it("reads Kanto's resources/config.json agents map", () => {
    const c = load({}, { domain: 'vehicle', agents: { containers: { rebootRequired: false, readTimeout: '30s' }, 'self-update': { rebootRequired: true } } }).config;
    const r = parseAgents(c.agents, { readTimeoutMs: 60_000 });
    assert.ok(r.ok);
    assert.deepEqual(r.agents, [
      { domain: 'containers', rebootRequired: false, readTimeoutMs: 30_000 },
      { domain: 'self-update', rebootRequired: true, readTimeoutMs: 60_000 },
    ]);
  });
  for (const [name, env, re] of [
    ['a bad duration', { LEDGE_UPDATE_MANAGER_PHASE_TIMEOUT: '10 minutes' }, /phaseTimeout.*not a duration/],
    ['a zero phase timeout', { LEDGE_UPDATE_MANAGER_PHASE_TIMEOUT: '0s' }, /phaseTimeout.*more than 0/],
    ['an unknown consent command', { LEDGE_UPDATE_MANAGER_OWNER_CONSENT_COMMANDS: 'DOWNLOAD,REBOOT' }, /ownerConsentCommands.*"REBOOT"/],
    ['no agents', { LEDGE_UPDATE_MANAGER_AGENTS: '[]' }, /agents: no agent/],
    ['an agent map with a typo', { LEDGE_UPDATE_MANAGER_AGENTS: '{"containers":{"rebootRequire":true}}' }, /agents\.containers: unknown key 'rebootRequire'/],
    ['two agents on one topic', { LEDGE_UPDATE_MANAGER_AGENTS: '["self-update","selfupdate"]' }, /uses the topics of 'self-update'/],
    ['a bad domain', { LEDGE_UPDATE_MANAGER_DOMAIN: 'a/b' }, /domain/],
  ] as const) {
    it(`refuses ${name}, naming the key`, () => assert.throws(() => load(env), re));
  }
  it('allows 0s where it means off', () => {
    assert.equal(load({ LEDGE_UPDATE_MANAGER_CURRENT_STATE_DELAY: '0s', LEDGE_UPDATE_MANAGER_REPORT_FEEDBACK_INTERVAL: '0' }).config.currentStateDelay, '0s');
    assert.equal(parseDurationMs('1h30m', false), 5_400_000);
  });
  it('the list form takes rebootRequired from its own key', () => {
    const r = parseAgents(['containers', 'os'], { readTimeoutMs: 5, rebootRequired: ['os'] });
    assert.deepEqual(r.ok && r.agents.map((a) => [a.domain, a.rebootRequired, a.readTimeoutMs]), [['containers', false, 5], ['os', true, 5]]);
  });
});

describe('desired state against the agents', () => {
  it('names an unknown domain and an empty list by field', () => {
    const r = applicableDesiredState({ domains: [{ id: 'containers' }, { id: 'firmware' }] }, ['containers']);
    assert.deepEqual(r.ok ? [] : r.problems, ["desiredState.domains[1].id: no update agent for domain 'firmware' (agents here: containers)"]);
    const e = applicableDesiredState({ domains: [] }, ['containers']);
    assert.match(e.ok ? '' : e.problems.join(), /desiredState\.domains: empty/);
    const p = applicableDesiredState({ domains: [{ id: 'containers', components: [{ id: 'a', parameters: [] }] }] }, ['containers']);
    assert.match(p.ok ? '' : p.problems.join(), /desiredState\.domains\[0\]\.components\[0\]: unknown key 'parameters'/);
  });
});

describe('device inventory', () => {
  it("joins the agents' nodes under the manager, linked to each domain's root node", () => {
    const containers: Inventory = {
      softwareNodes: [
        { id: 'containers:hello', version: '1', type: 'CONTAINER' },
        { id: 'containers-update-agent', version: '0.1', type: 'APPLICATION', parameters: [{ key: 'domain', value: 'containers' }] },
      ],
      hardwareNodes: [{ id: 'cpu' }],
      associations: [{ sourceId: 'containers-update-agent', targetId: 'containers:hello' }],
    };
    const inv = deviceInventory(managerNode('device', '1.2.3'), [['containers', containers], ['empty', {}]]);
    assert.deepEqual(inv.softwareNodes?.map((n) => n.id), ['device-update-manager', 'containers:hello', 'containers-update-agent']);
    assert.deepEqual(inv.softwareNodes?.[0], { id: 'device-update-manager', version: '1.2.3', name: 'Update Manager', type: 'APPLICATION' });
    assert.deepEqual(inv.associations, [
      { sourceId: 'device-update-manager', targetId: 'containers-update-agent' },
      { sourceId: 'containers-update-agent', targetId: 'containers:hello' },
    ]);
    assert.deepEqual(inv.hardwareNodes, [{ id: 'cpu' }]);
    assert.deepEqual(deviceInventory(managerNode('device', 'dev'), []), { softwareNodes: [managerNode('device', 'dev')] });
  });
});

describe('UpdateManager feature payloads', () => {
  it('apply: the desired state is required and checked field by field; the activity is kept for the feedback', () => {
    const ok = parseApplyArgs({ activityId: 'a1', timestamp: 5, desiredState: { domains: [{ id: 'containers' }] } });
    assert.ok(ok.ok);
    assert.equal(ok.apply.activityId, 'a1');
    const missing = parseApplyArgs({ activityId: 'a2', timestamp: 5 });
    assert.deepEqual(missing.ok ? undefined : [missing.problems, missing.activityId], [['desiredState: missing'], 'a2']);
    const bad = parseApplyArgs({ activityId: 'a3', desiredState: { domains: [{ id: 'c', components: [{ version: '1' }] }] } });
    assert.match(bad.ok ? '' : bad.problems.join(), /desiredState\.domains\[0\]\.components\[0\]\.id: missing/);
    assert.equal(parseApplyArgs('x').ok, false);
    assert.match(JSON.stringify(parseApplyArgs({ desiredState: { domains: [] } })), /activityId: missing/);
  });
  it('consent and refresh', () => {
    assert.deepEqual(parseConsentArgs({ activityId: 'a', timestamp: 1, ownerConsentFeedback: { status: 'DENIED' } }), { ok: true, consent: { activityId: 'a', timestamp: 1, ownerConsentFeedback: { status: 'DENIED' } } });
    assert.match(JSON.stringify(parseConsentArgs({ activityId: 'a', ownerConsentFeedback: { status: 'maybe' } })), /ownerConsentFeedback\.status/);
    assert.deepEqual(parseRefreshArgs(undefined), { ok: true, refresh: { activityId: '', timestamp: 0 } });
    assert.equal(parseRefreshArgs({ activityId: 3 }).ok, false);
  });
  it("reports activation statuses of actions as Kanto does (as update statuses), in domain order", () => {
    const a = new Map([['containers:a', { component: { id: 'containers:a' }, status: 'ACTIVATION_SUCCESS' as const }]]);
    const b = new Map([['os:b', { component: { id: 'os:b' }, status: 'ACTIVATING' as const, progress: 50 }]]);
    assert.deepEqual(reportedActions([['containers', a], ['os', b]]).map((x) => [x.component.id, x.status]), [['containers:a', 'UPDATE_SUCCESS'], ['os:b', 'UPDATING']]);
  });
});
