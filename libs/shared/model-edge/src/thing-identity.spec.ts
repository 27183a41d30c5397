import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeThingIdentity, parseThingIdentity, sameThingIdentity } from './thing-identity';
import { EdgeTopicPublishOptions, EdgeTopics } from './topics';

describe('edge topics (§1.1)', () => {
  it('are exact', () => {
    assert.deepEqual(EdgeTopics, {
      thingRequest: 'edge/thing/request',
      thingResponse: 'edge/thing/response',
      connectionStatus: 'edge/connection/remote/status',
    });
    assert.deepEqual(EdgeTopicPublishOptions.connectionStatus, { qos: 1, retain: true });
    assert.deepEqual(EdgeTopicPublishOptions.thingResponse, { qos: 0, retain: false });
  });
});

describe('thing identity (§1.1)', () => {
  it('encodes with policyId, and omits it when empty or absent', () => {
    assert.equal(
      encodeThingIdentity({ deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' }),
      '{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}',
    );
    assert.equal(encodeThingIdentity({ deviceId: 'demo:device', tenantId: 'demo', policyId: '' }), '{"deviceId":"demo:device","tenantId":"demo"}');
    assert.equal(encodeThingIdentity({ deviceId: 'demo:device', tenantId: 'demo' }), '{"deviceId":"demo:device","tenantId":"demo"}');
  });

  const valid: Array<[unknown, object]> = [
    ['{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}', { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' }],
    ['{"deviceId":"demo:device","tenantId":"demo","policyId":""}', { deviceId: 'demo:device', tenantId: 'demo' }],
    [new TextEncoder().encode('{"deviceId":"test:dev1","tenantId":"t","x":1}'), { deviceId: 'test:dev1', tenantId: 't' }],
    [{ deviceId: 'demo:gw:edge:containers', tenantId: '' }, { deviceId: 'demo:gw:edge:containers', tenantId: '' }],
  ];
  for (const [input, identity] of valid) {
    it(`parses ${String(input instanceof Uint8Array ? 'bytes' : JSON.stringify(input))}`, () => {
      assert.deepEqual(parseThingIdentity(input), { ok: true, identity });
    });
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['', /empty/],
    ['{}', /deviceId/],
    ['{"deviceId":"device","tenantId":"demo"}', /namespaced/],
    ['{"deviceId":":device","tenantId":"demo"}', /namespaced/],
    ['{"deviceId":"demo:","tenantId":"demo"}', /namespaced/],
    ['{"deviceId":42,"tenantId":"demo"}', /namespaced/],
    ['{"deviceId":"demo:d"}', /tenantId/],
    ['{"deviceId":"demo:d","tenantId":"t","policyId":7}', /policyId/],
    ['[]', /object/],
    ['nope', /JSON/],
    [`{"deviceId":"demo:d","tenantId":"${'x'.repeat(70_000)}"}`, /exceeds/],
  ];
  for (const [input, problem] of invalid) {
    it(`rejects ${String(input).slice(0, 40)}`, () => {
      const r = parseThingIdentity(input);
      assert.ok(!r.ok && problem.test(r.problems.join('; ')), JSON.stringify(r).slice(0, 200));
    });
  }

  it('compares identities, treating empty and absent policyId alike', () => {
    const a = { deviceId: 'demo:d', tenantId: 't' };
    assert.ok(sameThingIdentity(a, { ...a, policyId: '' }));
    assert.ok(!sameThingIdentity(a, { ...a, policyId: 'p' }));
    assert.ok(!sameThingIdentity(a, { ...a, deviceId: 'demo:e' }));
  });
});
