import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeviceCredentials } from './config';

describe('dev cloud devices.json', () => {
  it('takes a list of namespaced devices with passwords', () => {
    const d = { tenant: 'ledge-dev', authId: 'gateway', deviceId: 'dev:gateway', password: 'p4ssw0rd-long' };
    assert.deepEqual(parseDeviceCredentials([d, { ...d, authId: 'pi', deviceId: 'lab:pi-1', extra: 1 }]), [d, { ...d, authId: 'pi', deviceId: 'lab:pi-1' }]);
    assert.deepEqual(parseDeviceCredentials([]), []);
  });

  it('says what is wrong, naming the entry', () => {
    const d = { tenant: 'ledge-dev', authId: 'gateway', deviceId: 'dev:gateway', password: 'p4ssw0rd-long' };
    for (const [bad, why] of [
      [{}, /an array/],
      [[null], /devices\[0\]: an object/],
      [[{ ...d, tenant: 'a b' }], /devices\[0\]\.tenant/],
      [[d, { ...d, deviceId: 'no-namespace' }], /devices\[1\]\.deviceId: a namespaced ID/],
      [[{ ...d, password: 'short' }], /password: 8 to 256/],
      [[{ ...d, authId: 42 }], /authId/],
    ] as const) assert.match(String(parseDeviceCredentials(bad)), why);
  });
});
