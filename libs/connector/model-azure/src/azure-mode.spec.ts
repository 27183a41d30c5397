import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@ledge/shared/util';
import { createAzureMode } from './azure-mode';

const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const cs = `HostName=hub.azure-devices.net;DeviceId=demo:device;SharedAccessKey=${key}`;
const T0 = Date.UTC(2025, 0, 1);

describe('createAzureMode (§2.3)', () => {
  it('endpoint from the connection string; a fresh SAS token per attempt, renewed at 90 % of sasTokenValidity', () => {
    const m = createAzureMode({ connectionString: cs, hasClientCertificate: false, nowMs: T0 });
    assert.equal(m.protocol.name, 'azure');
    const e = m.endpoint!;
    assert.deepEqual(e.identity, { deviceId: 'demo:device', tenantId: 'defaultTenant' });
    assert.equal(e.address, 'mqtts://hub.azure-devices.net:8883');
    assert.equal(e.clientId, 'demo:device');
    const a = e.credentials!(T0);
    assert.equal(a.username, 'hub.azure-devices.net/demo:device/api-version=2020-09-30');
    assert.match(a.password!, /^SharedAccessSignature sr=hub\.azure-devices\.net%2Fdevices%2Fdemo%3Adevice&sig=[A-Za-z0-9%]+&se=1735693200$/);
    assert.equal(a.renewAtMs, T0 + 0.9 * 3_600_000);
    const b = e.credentials!(T0 + 3_240_000);
    assert.notEqual(b.password, a.password, 'a new token at renewal');
    assert.equal(b.renewAtMs, T0 + 3_240_000 + 3_240_000);
  });
  it('sasTokenValidity, tenantId and an address override are honoured', () => {
    const m = createAzureMode({ connectionString: cs, sasTokenValidity: '10m', tenantId: 'ten', address: 'mqtts://127.0.0.1:1', hasClientCertificate: false, nowMs: T0 });
    assert.equal(m.endpoint!.address, 'mqtts://127.0.0.1:1');
    assert.equal(m.endpoint!.identity.tenantId, 'ten');
    assert.equal(m.endpoint!.credentials!(T0).renewAtMs, T0 + 540_000);
  });
  it('X.509: no SharedAccessKey plus a client certificate → user name only, no renewal', () => {
    const m = createAzureMode({ connectionString: 'HostName=hub.azure-devices.net;DeviceId=demo:device', hasClientCertificate: true, nowMs: T0 });
    assert.deepEqual(m.endpoint!.credentials!(T0), { username: 'hub.azure-devices.net/demo:device/api-version=2020-09-30' });
  });
  it('config errors name the key and never echo the key', () => {
    const isKey = (k: string) => (err: unknown) => err instanceof ConfigError && err.message.startsWith(`config key '${k}'`) && !err.message.includes(key);
    assert.throws(() => createAzureMode({ connectionString: 'HostName=hub.azure-devices.net;DeviceId=d', hasClientCertificate: false, nowMs: T0 }), isKey('connectionString'));
    assert.throws(() => createAzureMode({ connectionString: `DeviceId=d;SharedAccessKey=${key}`, hasClientCertificate: false, nowMs: T0 }), isKey('connectionString'));
    assert.throws(() => createAzureMode({ connectionString: cs, sasTokenValidity: '0h', hasClientCertificate: false, nowMs: T0 }), isKey('sasTokenValidity'));
  });
});
