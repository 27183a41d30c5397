import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionCauses } from './connection-cause';
import {
  buildConnectedStatus,
  buildDisconnectedStatus,
  encodeConnectionStatus,
  LAST_WILL_STATUS,
  parseConnectionStatus,
  type ConnectionStatus,
} from './connection-status';

describe('connection status (§1.1, §1.2)', () => {
  it('has exactly the causes of §1.2', () => {
    assert.deepEqual(Object.values(ConnectionCauses).sort(), [
      'CONFIG_ERROR',
      'CONNECTION_CLOSED',
      'CONNECTION_ERROR',
      'CONNECTION_NOT_AUTHENTICATED',
      'CONNECTION_UNKNOWN',
      'PROVISIONING_ERROR',
      'PROVISIONING_MISSING',
      'PROVISIONING_UPDATE',
    ]);
  });

  it('encodes the wire payloads exactly', () => {
    const cases: Array<[ConnectionStatus, string]> = [
      [buildConnectedStatus({ nowMs: 1_745_576_998_999 }), '{"connected":true,"timestamp":1745576998}'],
      [
        buildDisconnectedStatus({ nowMs: 1_745_576_998_000, cause: 'CONNECTION_ERROR' }),
        '{"connected":false,"timestamp":1745576998,"cause":"CONNECTION_ERROR"}',
      ],
      [LAST_WILL_STATUS, '{"connected":false,"cause":"CONNECTION_UNKNOWN"}'],
      [
        buildConnectedStatus({ nowMs: 2_000, outbox: { depth: 3, oldestAgeMs: 1500 } }),
        '{"connected":true,"timestamp":2,"outbox":{"depth":3,"oldestAgeMs":1500}}',
      ],
    ];
    for (const [status, wire] of cases) {
      assert.equal(encodeConnectionStatus(status), wire);
      assert.equal(JSON.stringify(status), wire);
      assert.deepEqual(parseConnectionStatus(wire), { ok: true, status });
    }
  });

  const valid: Array<[unknown, ConnectionStatus]> = [
    ['{"connected":true,"timestamp":1,"cause":""}', { connected: true, timestamp: 1 }],
    ['{"connected":true}', { connected: true }],
    [{ connected: false, cause: 'PROVISIONING_MISSING', extra: [1] }, { connected: false, cause: 'PROVISIONING_MISSING' }],
  ];
  for (const [input, status] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => assert.deepEqual(parseConnectionStatus(input), { ok: true, status }));
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['', /empty/],
    ['{"timestamp":1}', /"connected"/],
    ['{"connected":"true"}', /"connected"/],
    ['{"connected":true,"cause":"CONNECTION_ERROR"}', /empty when connected/],
    ['{"connected":false,"timestamp":1}', /"cause"/],
    ['{"connected":false,"cause":""}', /"cause"/],
    ['{"connected":false,"cause":"connection_error"}', /"cause"/],
    ['{"connected":false,"cause":"toString"}', /"cause"/],
    ['{"connected":true,"timestamp":-1}', /"timestamp"/],
    ['{"connected":true,"timestamp":"1"}', /"timestamp"/],
    ['{"connected":true,"outbox":5}', /"outbox"/],
    ['{"connected":true,"outbox":{"depth":1.5,"oldestAgeMs":0}}', /"outbox"/],
    ['{"connected":true,"outbox":{"depth":1}}', /"outbox"/],
    ['[true]', /object/],
  ];
  for (const [input, problem] of invalid) {
    it(`rejects ${String(input)}`, () => {
      const r = parseConnectionStatus(input);
      assert.ok(!r.ok && problem.test(r.problems.join('; ')), JSON.stringify(r));
    });
  }
});
