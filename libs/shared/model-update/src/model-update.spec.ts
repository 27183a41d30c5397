import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  desiredStateForDomain,
  mqttDomain,
  parseCommand,
  parseDesiredState,
  parseEnvelope,
  parseFeedback,
  parseInventory,
  parseOwnerConsentFeedback,
  updateTopics,
  UPDATE_ORDER_FILTERS,
} from './index';

// Kanto's example desired state (update-manager docs/desired-state-specification.md), cut down.
const kantoExample = {
  baselines: [{ title: 'containers:hello', description: 'hello', components: ['containers:hello-world'] }],
  domains: [
    {
      id: 'containers',
      config: [{ key: 'source', value: 'kanto' }],
      components: [
        { id: 'hello-world', version: 'latest', config: [{ key: 'image', value: 'docker.io/library/hello-world:latest' }, { key: 'env', value: 'A=1' }] },
        { id: 'influxdb', version: '2.7.1', config: [{ key: 'image', value: 'docker.io/library/influxdb:2.7.1' }] },
      ],
    },
    { id: 'self-update', components: [{ id: 'os', version: '1.0' }] },
  ],
};

describe('update topics', () => {
  it('derives the MQTT domain as Kanto does', () => {
    assert.equal(mqttDomain('containers'), 'containersupdate');
    assert.equal(mqttDomain('self-update'), 'selfupdate');
    assert.equal(mqttDomain('device'), 'deviceupdate');
    assert.deepEqual(updateTopics('containers'), {
      desiredState: 'containersupdate/desiredstate',
      command: 'containersupdate/desiredstate/command',
      feedback: 'containersupdate/desiredstatefeedback',
      currentState: 'containersupdate/currentstate',
      currentStateGet: 'containersupdate/currentstate/get',
      ownerConsent: 'containersupdate/ownerconsent',
      ownerConsentFeedback: 'containersupdate/ownerconsentfeedback',
    });
  });

  it("the order filters (the built-in ACL's) cover every domain's orders and none of its reports", () => {
    const matches = (filter: string, topic: string) => {
      const [f, t] = [filter.split('/'), topic.split('/')];
      return f.length === t.length && f.every((level, i) => level === '+' || level === t[i]);
    };
    const reserved = (topic: string) => UPDATE_ORDER_FILTERS.some((f) => matches(f, topic));
    for (const domain of ['device', 'containers', 'self-update', 'os']) {
      const t = updateTopics(domain);
      assert.deepEqual([t.desiredState, t.command, t.ownerConsentFeedback].map(reserved), [true, true, true], domain);
      assert.deepEqual([t.feedback, t.currentState, t.currentStateGet, t.ownerConsent].map(reserved), [false, false, false, false], domain);
    }
  });
});

describe('envelope', () => {
  it('parses bytes and keeps the payload as found', () => {
    const r = parseEnvelope(Buffer.from(JSON.stringify({ activityId: 'a-1', timestamp: 1700000000123, payload: { x: 1 } })));
    assert.deepEqual(r, { ok: true, envelope: { activityId: 'a-1', timestamp: 1700000000123, payload: { x: 1 } } });
  });
  for (const [name, input, problem] of [
    ['not JSON', 'nope', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no activity', '{"timestamp":1,"payload":{}}', /activityId: missing/],
    ['a numeric activity', '{"activityId":5,"timestamp":1}', /activityId: not a string/],
    ['a bad timestamp', '{"activityId":"a","timestamp":"now"}', /timestamp/],
  ] as const) {
    it(`refuses ${name}`, () => {
      const r = parseEnvelope(input);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.problems.join('; '), problem);
    });
  }
  it('allows an empty activity where asked (currentstate/get)', () => {
    assert.equal(parseEnvelope('{}', { allowEmptyActivity: true }).ok, true);
  });
});

describe('desired state', () => {
  it("accepts Kanto's example", () => {
    const r = parseDesiredState(kantoExample);
    assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
    assert.equal(r.desiredState.domains[0]?.components?.length, 2);
  });
  const cases: Array<[string, unknown, RegExp]> = [
    ['no domains', {}, /desiredState\.domains: missing/],
    ['parameters for config', { domains: [{ id: 'containers', components: [{ id: 'a', parameters: [] }] }] }, /domains\[0\]\.components\[0\]: unknown key 'parameters' \(did you mean 'config'\?\)/],
    ['a component without id', { domains: [{ id: 'containers', components: [{ version: '1' }] }] }, /components\[0\]\.id: missing/],
    ['a numeric value', { domains: [{ id: 'c', components: [{ id: 'a', config: [{ key: 'memory', value: 5 }] }] }] }, /config\[0\]\.value: not a string/],
    ['a duplicate component', { domains: [{ id: 'c', components: [{ id: 'a' }, { id: 'a' }] }] }, /'a' appears twice/],
    ['a duplicate domain', { domains: [{ id: 'c' }, { id: 'c' }] }, /'c' appears twice/],
    ['a domain id with a slash', { domains: [{ id: 'a/b' }] }, /not a domain id/],
    ['a baseline naming nothing', { domains: [{ id: 'c', components: [{ id: 'a' }] }], baselines: [{ title: 'b', components: ['c:z'] }] }, /'c:z' names no component/],
    ['domains not an array', { domains: {} }, /domains: not an array/],
  ];
  for (const [name, input, problem] of cases) {
    it(`names the field for ${name}`, () => {
      const r = parseDesiredState(input);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.problems.join('; '), problem);
    });
  }
  it("cuts a domain's slice with its baselines only", () => {
    const r = parseDesiredState(kantoExample);
    assert.ok(r.ok);
    const slice = desiredStateForDomain(r.desiredState, 'containers');
    assert.deepEqual(slice?.domains.map((d) => d.id), ['containers']);
    assert.deepEqual(slice?.baselines?.map((b) => b.components), [['containers:hello-world']]);
    assert.equal(desiredStateForDomain(r.desiredState, 'self-update')?.baselines, undefined);
    assert.equal(desiredStateForDomain(r.desiredState, 'nope'), undefined);
  });
});

describe('feedback, inventory, commands, consent', () => {
  it('parses an agent feedback with actions', () => {
    const r = parseFeedback({ status: 'DOWNLOAD_SUCCESS', actions: [{ component: { id: 'containers:a', version: '1' }, status: 'DOWNLOAD_SUCCESS', progress: 100 }] });
    assert.ok(r.ok);
    assert.equal(r.feedback.actions?.[0]?.component.id, 'containers:a');
  });
  it('refuses unknown statuses', () => {
    assert.equal(parseFeedback({ status: 'DONE' }).ok, false);
    assert.equal(parseFeedback({ status: 'COMPLETED', actions: [{ component: { id: 'a' }, status: 'WHATEVER' }] }).ok, false);
  });
  it('parses an inventory and drops malformed parameters', () => {
    const r = parseInventory({ softwareNodes: [{ id: 'containers:a', version: '1', type: 'CONTAINER', parameters: [{ key: 'image', value: 'x' }, { key: 1 }] }], associations: [{ sourceId: 'a', targetId: 'b' }] });
    assert.ok(r.ok);
    assert.deepEqual(r.inventory.softwareNodes?.[0]?.parameters, [{ key: 'image', value: 'x' }]);
    assert.equal(parseInventory({ softwareNodes: [{}] }).ok, false);
  });
  it('parses commands and consent', () => {
    assert.deepEqual(parseCommand({ command: 'ACTIVATE', baseline: 'b' }), { ok: true, command: { command: 'ACTIVATE', baseline: 'b' } });
    assert.equal(parseCommand({ command: 'REBOOT' }).ok, false);
    assert.deepEqual(parseOwnerConsentFeedback({ status: 'DENIED' }), { ok: true, feedback: { status: 'DENIED' } });
    assert.equal(parseOwnerConsentFeedback({ status: 'maybe' }).ok, false);
  });
});
