import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ConfigError } from '@ledge/shared/util';
import { createTempDir, hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { createAwsMode } from './aws-mode';

const skip = skipUnlessTools('openssl', !hasCommand('openssl'));

function selfSigned(t: TestContext, subject: string): string {
  const dir = createTempDir(t, 'ledge-aws-mode-');
  const cert = join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', cert, '-days', '1', '-subj', subject], { stdio: 'ignore' });
  return readFileSync(cert, 'utf8');
}

describe('createAwsMode (§2.2)', { skip }, () => {
  const address = 'tls://x-ats.iot.eu-west-1.amazonaws.com:8883';
  it('device ID = certificate CN, client ID = device ID, tenant default-tenant-id, no user name/password', (t) => {
    const m = createAwsMode({ certificate: selfSigned(t, '/O=Acme/CN=demo:device'), address });
    assert.equal(m.protocol.name, 'aws');
    assert.deepEqual(m.endpoint, { identity: { deviceId: 'demo:device', tenantId: 'default-tenant-id' }, address, clientId: 'demo:device' });
  });
  it('clientId and tenantId override the defaults', (t) => {
    const m = createAwsMode({ certificate: selfSigned(t, '/CN=demo:device'), address, clientId: 'c-1', tenantId: 'ten' });
    assert.deepEqual(m.endpoint?.identity, { deviceId: 'demo:device', tenantId: 'ten' });
    assert.equal(m.endpoint?.clientId, 'c-1');
  });
  it('config errors name the key: a CN without namespace → cert, a bad regex → topicFilter / payloadFilters', (t) => {
    const isKey = (key: string) => (err: unknown) => err instanceof ConfigError && err.message.startsWith(`config key '${key}'`);
    assert.throws(() => createAwsMode({ certificate: selfSigned(t, '/CN=nonamespace'), address }), isKey('cert'));
    assert.throws(() => createAwsMode({ certificate: 'not a certificate', address }), isKey('cert'));
    const certificate = selfSigned(t, '/CN=demo:device');
    assert.throws(() => createAwsMode({ certificate, address, topicFilter: '(' }), isKey('topicFilter'));
    assert.throws(() => createAwsMode({ certificate, address, payloadFilters: ['ok', '['] }), isKey('payloadFilters'));
  });
});
