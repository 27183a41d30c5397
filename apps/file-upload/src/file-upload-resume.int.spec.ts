// Resume beyond Kanto, end to end: the app is SIGKILLed in the middle of a multipart S3 upload; after a
// restart the same `start` finishes it, sending only the parts S3 did not have (bytes counted by a proxy
// in front of s3rver).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import mqtt from 'mqtt';
import S3rver from 's3rver';
import { request } from 'undici';
import { amzDate, signV4, uriEncode } from '@ledge/file-upload/data-access-s3';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/shared/util/testing';

const PART = 5 * 1024 * 1024; // S3's smallest part but the last (config minimum)

async function s3Behind(t: TestContext) {
  const dir = createTempDir(t, 'ledge-fu-s3-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'bucket', configs: [] }] });
  const { port: s3Port } = await server.run();
  t.after(() => server.close());
  const stats = { partBytes: 0, parts: 0 };
  let hold: ((release: () => void) => void) | undefined;
  const proxy = createServer((req, res) => {
    const forward = () => {
      const up = httpRequest({ host: '127.0.0.1', port: s3Port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.on('data', (c: Buffer) => {
        if (req.method === 'PUT') stats.partBytes += c.length;
      });
      req.pipe(up);
    };
    if (req.method === 'PUT' && req.url!.includes('partNumber=')) {
      stats.parts++;
      if (hold !== undefined && stats.parts >= 4) return hold(forward);
    }
    forward();
  });
  proxy.on('clientError', () => undefined);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (proxy.closeAllConnections(), proxy.close(() => r()))));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const read = async (key: string) => {
    const date = amzDate(Date.now());
    const path = `/bucket/${key}`;
    const headers = { host: `127.0.0.1:${s3Port}`, 'x-amz-date': date, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const { authorization } = await signV4({ method: 'GET', path, headers, region: 'us-east-1', service: 's3', amzDate: date }, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    const res = await request(`http://127.0.0.1:${s3Port}${uriEncode(path, true)}`, { headers: { 'x-amz-date': date, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', authorization } });
    return Buffer.from(await res.body.arrayBuffer());
  };
  return { endpoint, stats, read, setHold: (h: typeof hold) => (hold = h) };
}

describe('file-upload resume (bundle + broker + s3rver)', () => {
  before(() => {
    for (const app of ['broker', 'file-upload']) if (!existsSync(bundlePath(app))) throw new Error(`run node tools/build-app.mjs ${app} first`);
  });

  it('a SIGKILLed multipart upload resumes after restart without re-sending finished parts', async (t) => {
    const bdir = createTempDir(t, 'ledge-fu-broker-');
    writeFileSync(join(bdir, 'broker.json'), '{}');
    const broker = spawnNode(t, bundlePath('broker'), { args: ['--config', join(bdir, 'broker.json'), '--port', '0', '--dataDir', bdir], env: { LEDGE_BROKER_PORT: '0' } });
    const port = (await broker.waitForLog((l) => l['msg'] === 'listening' && typeof l['port'] === 'number' && (l['protocol'] === undefined || l['protocol'] === 'tcp'), 20_000))['port'] as number;
    const s3 = await s3Behind(t);
    const dir = createTempDir(t, 'ledge-fu-');
    mkdirSync(join(dir, 'files'));
    const data = randomBytes(PART * 6 + 999);
    writeFileSync(join(dir, 'files', 'big.bin'), data);
    writeFileSync(join(dir, 'config.json'), '{}');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'test-cloud' });
    t.after(() => client.endAsync());
    const events: { path: string; value: { correlationId?: string; state?: string } }[] = [];
    client.on('message', (topic, payload) => {
      if (topic === 'edge/thing/request') void client.publishAsync('edge/thing/response', '{"deviceId":"demo:gw","tenantId":"demo"}');
      else if (topic === 'event') events.push(JSON.parse(payload.toString()) as (typeof events)[number]);
    });
    await client.subscribeAsync(['edge/thing/request', 'event'], { qos: 1 });
    const args = ['--config', join(dir, 'config.json'), '--broker', `tcp://127.0.0.1:${port}`, '--files', `${dir}/files/*.bin`, '--stateDir', join(dir, 'state'), '--partSize', String(PART)];
    let n = 0;
    const send = (op: string, value: unknown) =>
      client.publishAsync(`command///req/q${++n}/${op}`, JSON.stringify({ topic: `demo/gw/things/live/messages/${op}`, headers: { 'correlation-id': `q${n}`, 'response-required': false }, path: `/features/AutoUploadable/inbox/messages/${op}`, value }), { qos: 1 });
    const startValue = { correlationId: 'big#1', options: { 'storage.provider': 'aws', 'aws.region': 'us-east-1', 'aws.access.key.id': 'S3RVER', 'aws.secret.access.key': 'S3RVER', 'aws.s3.bucket': 'bucket', 'aws.object.key': 'big.bin', 'aws.endpoint': s3.endpoint } };

    const first = spawnNode(t, bundlePath('file-upload'), { args });
    await waitFor(() => events.some((e) => e.path === '/features/AutoUploadable'), 15_000, 'registration');
    await send('trigger', { correlationId: 'big' });
    await waitFor(() => events.some((e) => e.path.endsWith('/outbox/messages/request')), 10_000, 'request');
    // hold part 4: parts 1–3 are done and checkpointed when it arrives
    const held = new Promise<void>((resolve) => s3.setHold(() => resolve()));
    await send('start', startValue);
    await held;
    await first.kill('SIGKILL');
    s3.setHold(undefined);
    const before = s3.stats.partBytes;
    assert.ok(before >= PART * 3, `parts 1-3 uploaded before the kill (${before} bytes)`);

    const second = spawnNode(t, bundlePath('file-upload'), { args });
    await second.waitForLog((l) => l['msg'] === 'unfinished uploads restored', 15_000);
    await waitFor(() => events.filter((e) => e.path === '/features/AutoUploadable').length >= 2, 15_000, 're-registration');
    await send('start', startValue);
    await waitFor(() => events.find((e) => e.value?.correlationId === 'big#1' && e.value.state === 'SUCCESS'), 20_000, 'SUCCESS');
    const resent = s3.stats.partBytes - before;
    assert.ok(resent <= data.length - PART * 3, `only the missing parts were sent again (${resent} bytes)`);
    assert.ok((await s3.read('big.bin')).equals(data), 'object identical');
  });
});
