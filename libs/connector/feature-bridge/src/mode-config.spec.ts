import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@ledge/shared/util';
import { connectorSpec } from './config';
import { checkModeConfig } from './mode-config';

const defaults = Object.fromEntries(Object.entries(connectorSpec).map(([k, f]) => [k, f.default]));
const cfg = (over: Record<string, unknown>) => ({ ...defaults, ...over });
const aws = { mode: 'aws', address: 'tls://x-ats.iot.eu-west-1.amazonaws.com:8883', cert: '/c.pem', key: '/k.pem' };
const azure = { mode: 'azure', connectionString: 'HostName=h.azure-devices.net;DeviceId=a:b;SharedAccessKey=AAAA' };

describe('checkModeConfig', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['aws without address', { ...aws, address: defaults['address'] }, 'address'],
    ['aws without cert', { ...aws, cert: '' }, 'cert'],
    ['aws without key', { ...aws, key: '' }, 'key'],
    ['aws with deviceId', { ...aws, deviceId: 'a:b' }, 'deviceId'],
    ['aws with password', { ...aws, password: 'x' }, 'password'],
    ['aws with connectionString', { ...aws, connectionString: 'x' }, 'connectionString'],
    ['azure without connectionString', { mode: 'azure' }, 'connectionString'],
    ['azure with only idScope (DPS)', { mode: 'azure', idScope: '0ne00' }, 'connectionString'],
    ['azure with authId', { ...azure, authId: 'x' }, 'authId'],
    ['azure with topicFilter', { ...azure, topicFilter: 'x' }, 'topicFilter'],
    ['azure with cert but no key', { ...azure, cert: '/c.pem' }, 'key'],
    ['hono with payloadFilters', { payloadFilters: ['x'] }, 'payloadFilters'],
    ['hono with connectionString', { connectionString: 'x' }, 'connectionString'],
    ['hono with key but no cert', { key: '/k.pem' }, 'cert'],
  ];
  for (const [name, over, key] of bad) {
    it(`refuses ${name}, naming '${key}'`, () => {
      assert.throws(() => checkModeConfig(cfg(over)), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`config key '${key}'`));
    });
  }
  it('accepts each mode with its keys; idScope next to a connection string is only a warning', () => {
    assert.deepEqual(checkModeConfig(cfg({ deviceId: 'a:b', tenantId: 't', authId: 'x', password: 'p' })), []);
    assert.deepEqual(checkModeConfig(cfg({ ...aws, tenantId: 't', clientId: 'c', topicFilter: 'x', payloadFilters: ['/a'] })), []);
    assert.deepEqual(checkModeConfig(cfg({ ...azure, tenantId: 't', sasTokenValidity: '2h', cert: '/c', key: '/k' })), []);
    assert.equal(checkModeConfig(cfg({ ...azure, idScope: '0ne00' })).length, 1);
  });
});
