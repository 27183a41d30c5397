// The console's API client over a fake fetch (issue 24, item 3): Ditto calls go to the configured base
// with Basic auth, the artifact store and the upload sink stay on the page's origin, streams reopen at the
// new Ditto, and the twins are listed from Ditto's search where `GET /api/2/things` wants ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApi, type Log } from './api';
import type { SseOptions } from './sse-reader';

const PAGE = 'http://127.0.0.1:8088';
const DITTO = { baseUrl: 'http://localhost:8080', username: 'ditto', password: 'ditto' };
const AUTH = 'Basic ZGl0dG86ZGl0dG8=';

function fakeFetch(answer: (url: string) => Response = () => new Response('{}', { status: 200 })) {
  const calls: { url: string; method: string; headers: Record<string, string> }[] = [];
  const fetch = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: (init.headers ?? {}) as Record<string, string> });
    return answer(url);
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const logs: string[] = [];
const log: Log = (kind, text) => logs.push(`${kind}: ${text}`);

describe('console API client', () => {
  it('sends messages to the configured Ditto with Basic auth; the stores stay on the page', async () => {
    const f = fakeFetch((url) =>
      url.startsWith('/artifacts/') ? new Response('{"name":"a.sh","size":1,"sha256":"x","url":"u"}', { status: 201 }) : url === '/uploads' ? new Response('[]') : new Response(null, { status: 204 }),
    );
    const api = createApi(log, { target: { baseUrl: PAGE, username: '', password: '' }, fetch: f.fetch, openStream: () => () => {} });
    await api.send('dev:gateway', 'Metrics', 'request', { frequency: '1s' });
    assert.deepEqual(f.calls[0], { url: `${PAGE}/api/2/things/dev%3Agateway/features/Metrics/inbox/messages/request?timeout=30`, method: 'POST', headers: { 'content-type': 'application/json' } });
    api.configure(DITTO);
    const reply = await api.send('dev:gateway', 'Metrics', 'request', { frequency: '0s' }, 5);
    assert.equal(reply.status, 204);
    assert.deepEqual(f.calls[1], { url: 'http://localhost:8080/api/2/things/dev%3Agateway/features/Metrics/inbox/messages/request?timeout=5', method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTH } });
    await api.putArtifact(new File(['x'], 'a.sh'));
    await api.listUploads();
    assert.deepEqual(f.calls.slice(2).map((c) => [c.url, c.headers['authorization']]), [['/artifacts/a.sh', undefined], ['/uploads', undefined]], 'same-origin, never Ditto\'s credentials');
  });

  it('a Ditto that does not answer (down, or CORS refused): an error that says what to check', async () => {
    const api = createApi(log, { target: DITTO, fetch: (async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch, openStream: () => () => {} });
    await assert.rejects(api.send('dev:gateway', 'Metrics', 'request', {}), /http:\/\/localhost:8080\/api\/2\/things\/.*: no answer \(TypeError: Failed to fetch\).*CORS/);
  });

  it('lists the twins from /api/2/things, or from Ditto\'s search where that wants ids; a 401 says so', async () => {
    const dev = createApi(log, { target: { baseUrl: PAGE, username: '', password: '' }, fetch: fakeFetch(() => new Response('[{"thingId":"dev:gateway"}]')).fetch, openStream: () => () => {} });
    assert.deepEqual(await dev.things(), [{ thingId: 'dev:gateway' }]);
    const ditto = fakeFetch((url) =>
      url.includes('/search/') ? new Response('{"items":[{"thingId":"dev:gateway"}],"nextPageOffset":-1}') : new Response('{"status":400,"error":"things:things.ids.missing"}', { status: 400 }),
    );
    const real = createApi(log, { target: DITTO, fetch: ditto.fetch, openStream: () => () => {} });
    assert.deepEqual(await real.things(), [{ thingId: 'dev:gateway' }]);
    assert.deepEqual(ditto.calls.map((c) => [c.url, c.headers['authorization']]), [['http://localhost:8080/api/2/things', AUTH], ['http://localhost:8080/api/2/search/things?option=size(200)', AUTH]]);
    const denied = createApi(log, { target: DITTO, fetch: fakeFetch(() => new Response('', { status: 401, statusText: 'Unauthorized' })).fetch, openStream: () => () => {} });
    await assert.rejects(denied.things(), /answered 401 Unauthorized: check the user and the password/);
  });

  it('streams open at the Ditto with its credentials, deliver JSON, and reopen at the new one on configure', () => {
    const opened: { url: string; options: SseOptions; closed: boolean }[] = [];
    const openStream = (url: string, options: SseOptions) => {
      const s = { url, options, closed: false };
      opened.push(s);
      return () => void (s.closed = true);
    };
    const api = createApi(log, { target: { baseUrl: PAGE, username: '', password: '' }, fetch: fakeFetch().fetch, openStream });
    const values: unknown[] = [];
    const close = api.stream('/api/2/things', (v) => values.push(v));
    assert.equal(opened[0]?.url, `${PAGE}/api/2/things`);
    assert.deepEqual(opened[0]?.options.headers, {});
    for (const data of ['{"thingId":"dev:gateway"}', 'plain', ' ']) opened[0]!.options.onEvent({ kind: 'event', type: 'message', data, lastEventId: '' });
    assert.deepEqual(values, [{ thingId: 'dev:gateway' }, 'plain']);
    api.configure(DITTO);
    assert.equal(opened[0]?.closed, true);
    assert.equal(opened[1]?.url, 'http://localhost:8080/api/2/things');
    assert.deepEqual(opened[1]?.options.headers, { authorization: AUTH });
    close();
    assert.equal(opened[1]?.closed, true);
    api.configure({ ...DITTO, password: 'other' });
    assert.equal(opened.length, 2, 'a closed stream is not reopened');
  });
});
