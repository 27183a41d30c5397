import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEdgeIdentity, parseRemoteConnectionStatus, sameEdgeIdentity } from './edge-api';

describe('parseEdgeIdentity', () => {
  const valid: [string, object][] = [
    ['{"deviceId":"demo:device","tenantId":"demo","policyId":"demo:device"}', { deviceId: 'demo:device', tenantId: 'demo', policyId: 'demo:device' }],
    ['{"deviceId":"demo:device","tenantId":"demo"}', { deviceId: 'demo:device', tenantId: 'demo' }],
    ['{"deviceId":"demo:device","tenantId":"demo","policyId":""}', { deviceId: 'demo:device', tenantId: 'demo' }],
    ['{"deviceId":"org.acme:gw-1:x","tenantId":"t","extra":1}', { deviceId: 'org.acme:gw-1:x', tenantId: 't' }],
  ];
  for (const [payload, expected] of valid) {
    it(`accepts ${payload}`, () => assert.deepEqual(parseEdgeIdentity(Buffer.from(payload)), { ok: true, value: expected }));
  }
  const invalid = [
    '',
    'not json',
    '[]',
    'null',
    '"demo:device"',
    '{"tenantId":"demo"}',
    '{"deviceId":"device","tenantId":"demo"}', // no namespace (spec §0)
    '{"deviceId":":device","tenantId":"demo"}',
    '{"deviceId":"demo:","tenantId":"demo"}',
    '{"deviceId":"demo:a/b","tenantId":"demo"}',
    '{"deviceId":"demo:device","tenantId":""}',
    '{"deviceId":"demo:device","tenantId":42}',
    '{"deviceId":"demo:device","tenantId":"demo","policyId":7}',
  ];
  for (const payload of invalid) {
    it(`rejects ${JSON.stringify(payload)}`, () => {
      const r = parseEdgeIdentity(payload);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problems.length > 0);
    });
  }
  it('compares identities field by field', () => {
    assert.equal(sameEdgeIdentity({ deviceId: 'a:b', tenantId: 't' }, { deviceId: 'a:b', tenantId: 't' }), true);
    assert.equal(sameEdgeIdentity({ deviceId: 'a:b', tenantId: 't' }, { deviceId: 'a:b', tenantId: 't', policyId: 'p' }), false);
    assert.equal(sameEdgeIdentity(undefined, { deviceId: 'a:b', tenantId: 't' }), false);
  });
});

describe('parseRemoteConnectionStatus', () => {
  const valid: [string, object][] = [
    ['{"connected":true,"timestamp":1745576998}', { connected: true, timestamp: 1745576998 }],
    ['{"connected":false,"timestamp":1745576998,"cause":"CONNECTION_ERROR"}', { connected: false, timestamp: 1745576998, cause: 'CONNECTION_ERROR' }],
    // The connector's Last Will has no timestamp (§1.1).
    ['{"connected":false,"cause":"CONNECTION_UNKNOWN"}', { connected: false, cause: 'CONNECTION_UNKNOWN' }],
    ['{"connected":true,"timestamp":1,"cause":""}', { connected: true, timestamp: 1 }],
    ['{"connected":true,"timestamp":1,"outbox":{"depth":3,"oldestAgeMs":1200}}', { connected: true, timestamp: 1, outbox: { depth: 3, oldestAgeMs: 1200 } }],
    // A malformed extension is dropped, the status kept.
    ['{"connected":true,"timestamp":1,"outbox":{"depth":"x"}}', { connected: true, timestamp: 1 }],
    ['{"connected":false,"cause":"SOMETHING_NEW"}', { connected: false, cause: 'SOMETHING_NEW' }],
  ];
  for (const [payload, expected] of valid) {
    it(`accepts ${payload}`, () => assert.deepEqual(parseRemoteConnectionStatus(Buffer.from(payload)), { ok: true, value: expected }));
  }
  const invalid = ['', '{', '42', '{}', '{"connected":"yes"}', '{"connected":true,"timestamp":"now"}', '{"connected":true,"timestamp":-1}', '{"connected":false,"cause":5}'];
  for (const payload of invalid) {
    it(`rejects ${JSON.stringify(payload)}`, () => assert.equal(parseRemoteConnectionStatus(payload).ok, false));
  }
});
