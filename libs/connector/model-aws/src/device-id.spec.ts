// §2.2: device ID = CN of the client certificate; certificates made with openssl for the test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTempDir, hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { awsDeviceIdFromCertificate, certificateCommonName } from './device-id';
import { AwsErrorCodes } from './errors';

const skip = skipUnlessTools('openssl', !hasCommand('openssl'));

function selfSigned(t: TestContext, subject: string): string {
  const dir = createTempDir(t, 'ledge-aws-cert-');
  const cert = join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', cert, '-days', '1', '-subj', subject], { stdio: 'ignore' });
  return readFileSync(cert, 'utf8');
}

describe('awsDeviceIdFromCertificate', { skip }, () => {
  it('reads the CN as device ID', (t) => {
    assert.equal(awsDeviceIdFromCertificate(selfSigned(t, '/C=DE/O=Acme/CN=demo:device')), 'demo:device');
    assert.equal(awsDeviceIdFromCertificate(Buffer.from(selfSigned(t, '/CN=a.b:gw-1'))), 'a.b:gw-1');
  });

  it('rejects a CN that is not <namespace>:<name>', (t) => {
    assert.throws(() => awsDeviceIdFromCertificate(selfSigned(t, '/CN=device')), { code: AwsErrorCodes.INVALID_DEVICE_ID });
    assert.throws(() => awsDeviceIdFromCertificate(selfSigned(t, '/CN=1ns:device')), { code: AwsErrorCodes.INVALID_DEVICE_ID });
  });

  it('rejects garbage and a subject without CN', (t) => {
    assert.throws(() => certificateCommonName('not a certificate'), { code: AwsErrorCodes.INVALID_CERTIFICATE });
    assert.throws(() => certificateCommonName(selfSigned(t, '/O=Acme')), { code: AwsErrorCodes.INVALID_CERTIFICATE });
  });
});
