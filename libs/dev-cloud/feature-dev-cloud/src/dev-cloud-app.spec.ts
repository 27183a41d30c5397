// The dev cloud's HTTP side as a stand-in for a real Ditto that a console on another origin calls (issue 24,
// item 3): a real server on port 0, configured as `ledge dev-cloud` is (env LEDGE_DEV_CLOUD_*), asked with
// the requests a browser makes: preflights, Basic auth, SSE, writes from allowed and other origins.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { prepareConfig } from '@ledge/shared/util';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createDevCloud, devCloudEntry } from './dev-cloud-app';

const PAGE = 'http://127.0.0.1:9090';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function startDevCloud(t: TestContext, env: Record<string, string>) {
  const dataDir = createTempDir(t, 'ledge-dev-cloud-app-');
  const { config } = prepareConfig(devCloudEntry, { env: { LEDGE_DEV_CLOUD_HTTP_PORT: '0', LEDGE_DEV_CLOUD_MQTT_PORT: '0', LEDGE_DEV_CLOUD_DATA_DIR: dataDir, ...env }, configDir: dataDir });
  let http = '';
  const app = createDevCloud(config, { logger: captureLogger().logger, onListening: (a) => (http = a.http) });
  await app.start();
  t.after(() => app.close());
  return http;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request; for an event stream, the answer as soon as its head is in (the stream stays open otherwise). */
const call = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        res.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });

describe('dev cloud HTTP side: CORS and Basic auth for a console on another origin', () => {
  it('answers the preflight without credentials, and puts Allow-Origin on 401s, on answers and on SSE', async (t) => {
    const base = await startDevCloud(t, { LEDGE_DEV_CLOUD_USERNAME: 'ditto', LEDGE_DEV_CLOUD_PASSWORD: 'ditto', LEDGE_DEV_CLOUD_CORS_ORIGINS: PAGE });
    const pre = await call(base, 'OPTIONS', '/api/2/things/dev%3Agateway/features/Metrics/inbox/messages/request', { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], PAGE);
    assert.match(String(pre.headers['access-control-allow-headers']), /authorization/);

    const none = await call(base, 'GET', '/api/2/things', { origin: PAGE });
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm="/);
    assert.equal(none.headers['access-control-allow-origin'], PAGE, 'the page can read the 401');
    assert.equal((JSON.parse(none.body) as { error: string }).error, 'gateway:authentication.failed');

    const wrong = await call(base, 'GET', '/api/2/things', { origin: PAGE, authorization: basic('ditto', 'wrong') });
    assert.equal(wrong.status, 401);

    const ok = await call(base, 'GET', '/api/2/things', { origin: PAGE, authorization: basic('ditto', 'ditto') });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], PAGE);
    assert.equal(ok.headers['vary'], 'Origin');
    assert.deepEqual(JSON.parse(ok.body), []);

    const sse = await call(base, 'GET', '/api/2/things', { origin: PAGE, accept: 'text/event-stream', authorization: basic('ditto', 'ditto') });
    assert.equal(sse.status, 200);
    assert.equal(sse.headers['access-control-allow-origin'], PAGE);

    const other = await call(base, 'GET', '/api/2/things', { origin: 'http://evil.example', authorization: basic('ditto', 'ditto') });
    assert.equal(other.headers['access-control-allow-origin'], undefined, 'a browser keeps the answer from a page of another origin');
  });

  it('lets writes through from the allowed origin only; the stores ask for the same credentials', async (t) => {
    const base = await startDevCloud(t, { LEDGE_DEV_CLOUD_USERNAME: 'ditto', LEDGE_DEV_CLOUD_PASSWORD: 'ditto', LEDGE_DEV_CLOUD_CORS_ORIGINS: `["${PAGE}"]` });
    const message = (origin: string) =>
      call(base, 'POST', '/api/2/things/dev%3Agateway/features/Metrics/inbox/messages/request?timeout=0', { origin, authorization: basic('ditto', 'ditto'), 'content-type': 'application/json' }, '{}');
    const allowed = await message(PAGE);
    assert.notEqual(allowed.status, 403, allowed.body); // past the guard: Ditto's own answer (the thing is unknown here)
    assert.equal(allowed.headers['access-control-allow-origin'], PAGE);
    const refused = await message('http://evil.example');
    assert.equal(refused.status, 403);
    assert.match(refused.body, /writes from http:\/\/evil\.example are refused/);
    const preflight = await call(base, 'OPTIONS', '/api/2/things', { origin: 'http://evil.example', 'access-control-request-method': 'POST' });
    assert.equal(preflight.status, 403);

    const store = await call(base, 'GET', '/artifacts');
    assert.equal(store.status, 401);
    assert.match(String(store.headers['www-authenticate']), /^Basic realm="/);
    assert.equal((await call(base, 'GET', '/artifacts', { authorization: basic('ditto', 'wrong') })).status, 401);
    assert.equal((await call(base, 'GET', '/artifacts', { authorization: basic('ditto', 'ditto') })).status, 200);
  });

  it('without corsOrigins: no CORS headers, preflights refused, same-origin writes as before', async (t) => {
    const base = await startDevCloud(t, {});
    const host = new URL(base).host;
    const get = await call(base, 'GET', '/api/2/things', { origin: PAGE });
    assert.equal(get.status, 200);
    assert.equal(get.headers['access-control-allow-origin'], undefined);
    assert.equal(get.headers['vary'], undefined);
    assert.equal((await call(base, 'OPTIONS', '/api/2/things', { origin: PAGE, 'access-control-request-method': 'POST' })).status, 403);
    assert.equal((await call(base, 'POST', '/api/2/things/dev%3Agateway/inbox/messages/x?timeout=0', { origin: PAGE }, '{}')).status, 403);
    assert.notEqual((await call(base, 'POST', '/api/2/things/dev%3Agateway/inbox/messages/x?timeout=0', { origin: `http://${host}`, 'content-type': 'application/json' }, '{}')).status, 403);
  });

  it('refuses corsOrigins that are not origins (exit 2 naming the key)', () => {
    for (const bad of ['*', 'http://127.0.0.1:9090/', 'http://127.0.0.1:9090/console', 'localhost:9090', 'ftp://x.example']) {
      assert.throws(() => prepareConfig(devCloudEntry, { env: { LEDGE_DEV_CLOUD_CORS_ORIGINS: bad } }), /config key 'corsOrigins'/, bad);
    }
  });
});
