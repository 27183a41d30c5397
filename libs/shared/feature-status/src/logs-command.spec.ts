import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appLine } from './logs-command';

const rec = (unit: string, message: unknown) => JSON.stringify({ _SYSTEMD_UNIT: unit, MESSAGE: message });

describe('ledge logs: which journal records are the app\'s', () => {
  it('its own unit\'s lines, and its lines in the all-in-one unit', () => {
    const own = '{"level":30,"name":"connector","msg":"connected"}';
    const hosted = '{"level":30,"name":"ledge","app":"connector","msg":"connected"}';
    assert.equal(appLine('connector', rec('ledge-connector.service', own)), own);
    assert.equal(appLine('connector', rec('ledge.service', hosted)), hosted);
    assert.equal(appLine('connector', rec('ledge.service', '{"name":"ledge","app":"broker","msg":"x"}')), undefined);
    assert.equal(appLine('connector', rec('ledge-broker.service', own)), undefined);
    assert.equal(appLine('connector', rec('ledge.service', 'not json')), undefined);
    assert.equal(appLine('connector', rec('ledge-connector.service', [104, 105])), 'hi', 'a message journald kept as bytes');
    assert.equal(appLine('connector', 'garbage'), undefined);
    assert.equal(appLine('connector', JSON.stringify({ _SYSTEMD_UNIT: 'ledge-connector.service' })), undefined);
  });
});
