// `serverCert` (§6.1): an HTTPS upload target whose certificate a private CA issued is accepted by all
// three providers as the app builds them, and refused without that CA; the public CAs stay trusted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, it, type TestContext } from 'node:test';
import { uploadAgentOptions, type UploadProvider } from '@ledge/file-upload/model-file-upload';
import { bufferSource } from '@ledge/file-upload/model-file-upload/testing';
import { createTempDir, hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { createUploadProviders } from './app';

/** A CA and a server certificate for 127.0.0.1 it signed (the CA itself is not the server's). */
function privateCa(t: TestContext) {
  const dir = createTempDir(t, 'ledge-fu-ca-');
  const f = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=Ledge test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { stdio: 'ignore' });
  execFileSync('openssl', ['req', ...ec, '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('srv.pem'), '-days', '1', '-extfile', f('ext.cnf')], { stdio: 'ignore' });
  return { ca: readFileSync(f('ca.pem')), key: readFileSync(f('srv.key')), cert: readFileSync(f('srv.pem')) };
}

/** Answers every request 201 with an ETag (PutObject, Put Blob and a generic PUT all succeed). */
async function startHttps(t: TestContext, tls: { key: Buffer; cert: Buffer }) {
  const seen: string[] = [];
  const srv = createServer(tls, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url!.split('?')[0]}`);
      res.writeHead(201, { etag: '"e"' }).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => {
    srv.closeAllConnections();
    srv.close(() => r());
  }));
  return { base: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
}

const optionsFor = (base: string): Record<string, Record<string, string>> => ({
  generic: { 'https.url': `${base}/generic/a.bin` },
  aws: { 'aws.region': 'us-east-1', 'aws.access.key.id': 'AKID', 'aws.secret.access.key': 'secret', 'aws.s3.bucket': 'bucket', 'aws.object.key': 'a.bin', 'aws.endpoint': base },
  azure: { 'azure.storage.endpoint': base, 'azure.shared.access.signature': 'sv=x&sig=y', 'azure.blob.container': 'logs' },
});

function upload(p: UploadProvider, options: Record<string, string>) {
  return p.upload({ source: bufferSource(Buffer.from('hello'), '/mem/a.bin'), options, signal: AbortSignal.timeout(10_000), onProgress: () => undefined });
}

describe('serverCert', () => {
  it('is trusted in addition to the public CAs (undici connect.ca replaces the default roots)', () => {
    assert.deepEqual(uploadAgentOptions(undefined), { keepAliveTimeout: 10_000 });
    assert.deepEqual(uploadAgentOptions(Buffer.alloc(0)), { keepAliveTimeout: 10_000 });
    const ca = uploadAgentOptions('-----BEGIN CERTIFICATE-----\nprivate\n-----END CERTIFICATE-----\n').connect!.ca;
    assert.equal(ca.length, rootCertificates.length + 1);
    assert.deepEqual(ca.slice(0, -1), [...rootCertificates], 'every public root is kept');
    assert.match(ca.at(-1)!, /private/);
  });

  it('each provider (generic, aws, azure) accepts an HTTPS target issued by the private CA, and refuses it without', { skip: skipUnlessTools('openssl', !hasCommand('openssl')) }, async (t) => {
    const pki = privateCa(t);
    const srv = await startHttps(t, pki);
    const withCa = createUploadProviders(pki.ca);
    const without = createUploadProviders(undefined);
    t.after(() => Promise.all([...Object.values(withCa), ...Object.values(without)].map((p) => p.close())));
    for (const [name, options] of Object.entries(optionsFor(srv.base))) {
      const p = withCa[name as keyof typeof withCa];
      await upload(p, options);
      await assert.rejects(upload(without[name as keyof typeof without], options), (e: Error) => /certificate|issuer/i.test(e.message), `${name} without serverCert`);
    }
    assert.deepEqual(srv.seen, ['PUT /generic/a.bin', 'PUT /bucket/a.bin', 'PUT /logs/a.bin']);
  });
});
