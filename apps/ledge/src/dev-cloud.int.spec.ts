// `npm start` does something (issue 24): `ledge run --dev --dev-cloud` runs the stack beside the development
// cloud and provisions the connector to it. With nothing else set up, Ditto's HTTP API shows the gateway
// and its features, an artifact put in the store installs through SoftwareUpdatable (the curl-shaped
// message of Ditto's docs), the event stream carries the progress, and a Logs upload lands in the upload
// sink. Both `ledge run` modes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort, makePki } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, waitFor } from '@ledge/shared/util/testing';

const GATEWAY = 'dev:gateway';

interface Reply {
  status: number;
  body: string;
  json<T>(): T;
}

/** One request to the dev cloud; `ca` makes it HTTPS trusting that CA. */
function http(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, ca?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
      });
    };
    const req = ca ? httpsRequest(`${base}${path}`, { method, headers, ca }, onResponse) : request(`${base}${path}`, { method, headers }, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

/** The `data:` events of Ditto's SSE stream of things, parsed. */
function eventStream(t: TestContext, base: string): { events: Record<string, unknown>[] } {
  const out = { events: [] as Record<string, unknown>[] };
  const req = request(`${base}/api/2/things`, { headers: { accept: 'text/event-stream' } }, (res) => {
    assert.equal(res.headers['content-type']?.split(';')[0], 'text/event-stream');
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const data = buf.slice(0, i).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
        buf = buf.slice(i + 2);
        if (data.trim() !== '') out.events.push(JSON.parse(data) as Record<string, unknown>);
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  t.after(() => req.destroy());
  return out;
}

async function stackWithDevCloud(t: TestContext, processes: boolean, extraEnv: Record<string, string> = {}) {
  const dev = createTempDir(t, 'ledge-dev-cloud-');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const env = { LEDGE_BROKER_PORT: '0', LEDGE_DEV_CLOUD_HTTP_PORT: String(httpPort), LEDGE_DEV_CLOUD_MQTT_PORT: String(mqttPort), ...extraEnv };
  const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--dev', '--dev-dir', dev, '--dev-cloud', ...(processes ? ['--processes'] : []), '--apps', 'broker,connector,software-update,file-upload'], env });
  await ledge.waitForLog((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('development cloud: '), 30_000);
  return { dev, base: `http://127.0.0.1:${httpPort}`, httpPort, ledge };
}

describe('npm start: the stack beside the development cloud', { timeout: 240_000 }, () => {
  it('TLS for a gateway on the LAN: HTTPS and MQTTS with tlsCert/tlsKey; the connector is given the CA and comes online over MQTTS; one of the two alone is exit 2', async (t) => {
    const pki = makePki(t);
    const { httpPort } = await stackWithDevCloud(t, false, { LEDGE_DEV_CLOUD_TLS_CERT: pki.serverCert, LEDGE_DEV_CLOUD_TLS_KEY: pki.serverKey, LEDGE_DEV_CLOUD_TLS_CA: pki.ca });
    const ca = readFileSync(pki.ca);
    const thing = await waitFor(async () => {
      const r = await http(`https://127.0.0.1:${httpPort}`, 'GET', `/api/2/things/${GATEWAY}`, undefined, {}, ca).catch(() => undefined);
      const th = r?.status === 200 ? r.json<{ features?: Record<string, unknown> }>() : undefined;
      return th?.features?.['SoftwareUpdatable'] ? th : undefined;
    }, 60_000, 'the gateway online over MQTTS, its SoftwareUpdatable over HTTPS');
    assert.ok(thing.features?.['SoftwareUpdatable'], JSON.stringify(thing));
    const index = (await http(`https://127.0.0.1:${httpPort}`, 'GET', '/index.json', undefined, {}, ca)).json<{ mqtt: string; ditto: string }>();
    assert.match(index.mqtt, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    assert.match(index.ditto, /^https:\/\//);
    await assert.rejects(http(`http://127.0.0.1:${httpPort}`, 'GET', '/index.json'), 'no plain HTTP on the TLS port');
    const half = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [bundlePath('dev-cloud'), '--tlsCert', pki.serverCert], { env: { ...process.env, LEDGE_DEV_DIR: createTempDir(t) } }, (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr })),
    );
    assert.equal(half.code, 2, half.stderr);
    assert.match(half.stderr, /'tlsCert' and 'tlsKey': set both/);
  });

  for (const processes of [false, true]) {
    it(`${processes ? 'ledge run --processes' : 'ledge run'} --dev --dev-cloud: the gateway online in Ditto's API; an artifact installs through a message; a Logs upload lands in the sink`, async (t) => {
      const { base, dev } = await stackWithDevCloud(t, processes);
      interface Thing {
        thingId: string;
        features?: Record<string, { properties?: Record<string, unknown> }>;
      }
      const thing = await waitFor(async () => {
        const r = await http(base, 'GET', `/api/2/things/${GATEWAY}`);
        if (r.status !== 200) return undefined;
        const th = r.json<Thing>();
        return th.features?.['SoftwareUpdatable'] && th.features['Logs'] ? th : undefined;
      }, 60_000, 'the gateway thing with its features in Ditto\'s API');
      assert.equal(thing.thingId, GATEWAY);
      assert.ok((await http(base, 'GET', '/api/2/things')).json<Thing[]>().some((th) => th.thingId === GATEWAY));
      const sse = eventStream(t, base);

      // SoftwareUpdatable install of an artifact from the store, as Ditto's docs send a message
      const put = await http(base, 'PUT', '/artifacts/install.sh', `#!/bin/sh\necho installed > ${join(dev, 'installed')}\n`);
      assert.equal(put.status, 201, put.body);
      const artifact = put.json<{ size: number; sha256: string; url: string }>();
      const install = {
        correlationId: 'dev-cloud-install',
        weight: 0,
        forced: false,
        metadata: {},
        softwareModules: [{ softwareModule: { name: 'hello', version: '1.0.0' }, metaData: { 'artifact-type': 'plain' }, artifacts: [{ filename: 'install.sh', size: artifact.size, download: { HTTP: { url: artifact.url } }, checksums: { SHA256: artifact.sha256 } }] }],
      };
      const sent = await http(base, 'POST', `/api/2/things/${GATEWAY}/features/SoftwareUpdatable/inbox/messages/install?timeout=30`, JSON.stringify(install), { 'content-type': 'application/json' });
      assert.ok(sent.status === 204 || sent.status === 200, `${sent.status} ${sent.body}`);
      const lastOperation = `/api/2/things/${GATEWAY}/features/SoftwareUpdatable/properties/status/lastOperation`;
      const done = await waitFor(async () => {
        const r = await http(base, 'GET', lastOperation);
        const op = r.status === 200 ? r.json<{ correlationId: string; status: string }>() : undefined;
        return op?.correlationId === 'dev-cloud-install' && op.status.startsWith('FINISHED') ? op : undefined;
      }, 60_000, 'the install\'s end in the twin');
      assert.equal(done.status, 'FINISHED_SUCCESS', JSON.stringify(done));
      assert.equal(readFileSync(join(dev, 'installed'), 'utf8'), 'installed\n', 'the script ran on the gateway');
      await waitFor(() => sse.events.some((e) => JSON.stringify(e).includes('FINISHED_SUCCESS')), 10_000, 'the install\'s end on the event stream');

      // a Logs upload into the upload sink
      const logs = await http(base, 'POST', `/api/2/things/${GATEWAY}/features/Logs/inbox/messages/upload?timeout=10`, JSON.stringify({ correlationId: 'dev-cloud-logs', apps: ['connector'], options: { 'https.url': `${base}/uploads/gw/logs.tar.gz` } }), { 'content-type': 'application/json' });
      assert.ok(logs.status === 204 || logs.status === 200, `${logs.status} ${logs.body}`);
      const uploaded = await waitFor(async () => (await http(base, 'GET', '/uploads')).json<{ name: string; size: number }[]>().find((f) => f.name === 'gw/logs.tar.gz'), 30_000, 'the archive in the upload sink');
      assert.ok(uploaded.size > 0);

      // a message nobody answers in time: 408; a thing nobody has: 404
      assert.equal((await http(base, 'GET', '/api/2/things/nobody:here')).status, 404);
      const silent = await http(base, 'POST', `/api/2/things/${GATEWAY}/features/NoSuchFeature/inbox/messages/ping?timeout=1`, '{}', { 'content-type': 'application/json' });
      assert.equal(silent.status, 408, silent.body);
    });
  }
});
