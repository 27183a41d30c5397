import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFailure } from './failure';

const refused = (code: number) => Object.assign(new Error(`Connection refused: ${code}`), { code });

describe('classifyFailure (§1.2, §2.1.3)', () => {
  const cases: [Error | undefined, string, string][] = [
    [refused(4), 'CONNECTION_NOT_AUTHENTICATED', 'auth'],
    [refused(5), 'CONNECTION_NOT_AUTHENTICATED', 'auth'],
    [refused(0x86), 'CONNECTION_NOT_AUTHENTICATED', 'auth'],
    [refused(2), 'CONNECTION_ERROR', 'stop'],
    [refused(1), 'CONNECTION_ERROR', 'stop'],
    [refused(3), 'CONNECTION_ERROR', 'retry'],
    [refused(99), 'CONNECTION_ERROR', 'retry'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'CONNECTION_ERROR', 'retry'],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'CONNECTION_ERROR', 'retry'],
    [undefined, 'CONNECTION_ERROR', 'retry'],
  ];
  for (const [err, cause, action] of cases) {
    it(`${err?.message ?? 'closed'} → ${cause}, ${action}`, () => {
      const c = classifyFailure(err, false);
      assert.equal(c.cause, cause);
      assert.equal(c.action, action);
    });
  }
  it('keeps the CONNACK return code and the errno in details', () => {
    assert.equal(classifyFailure(refused(5), false).error.details?.['returnCode'], 5);
    assert.equal(classifyFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }), true).error.details?.['errno'], 'ECONNRESET');
  });
});
