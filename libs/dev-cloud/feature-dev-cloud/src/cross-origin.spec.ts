import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerOptions, corsHeaders, crossSiteWrite, guardCrossOrigin } from './cross-origin';

const req = (method: string, headers: Record<string, string>) => ({ method, headers });
const PAGE = 'http://127.0.0.1:9090'; // the console served by another dev cloud
const allowed = new Set([PAGE]);

describe('dev cloud: writes from other sites are refused', () => {
  it("lets curl (no Origin), reads and the console's own page write", () => {
    assert.equal(crossSiteWrite(req('POST', { host: '127.0.0.1:8088' }), { loopback: true }), undefined);
    assert.equal(crossSiteWrite(req('GET', { host: '127.0.0.1:8088', origin: 'http://evil.example' }), { loopback: true }), undefined);
    assert.equal(crossSiteWrite(req('PUT', { host: 'localhost:8088', origin: 'http://localhost:8088' }), { loopback: true }), undefined);
    assert.equal(crossSiteWrite(req('POST', { host: 'pi-lab.local:8088', origin: 'http://pi-lab.local:8088' }), { loopback: false }), undefined);
  });

  it('refuses a page of another origin, and a rebound name on loopback', () => {
    assert.match(crossSiteWrite(req('POST', { host: '127.0.0.1:8088', origin: 'http://evil.example' }), { loopback: true }) ?? '', /writes from http:\/\/evil\.example are refused/);
    assert.match(crossSiteWrite(req('DELETE', { host: 'rebound.evil.example:8088', origin: 'http://rebound.evil.example:8088' }), { loopback: true }) ?? '', /use 127\.0\.0\.1 or localhost/);
    assert.match(crossSiteWrite(req('POST', { origin: 'null' }), { loopback: true }) ?? '', /refused/);
  });

  it('lets exactly the corsOrigins write besides, and nothing else changes', () => {
    const policy = { loopback: true, corsOrigins: allowed };
    assert.equal(crossSiteWrite(req('POST', { host: '127.0.0.1:8088', origin: PAGE }), policy), undefined);
    assert.equal(crossSiteWrite(req('PUT', { host: 'localhost:8088', origin: PAGE }), policy), undefined);
    for (const origin of ['http://127.0.0.1:9091', 'https://127.0.0.1:9090', 'http://evil.example', `${PAGE}.evil.example`, 'null']) {
      assert.match(crossSiteWrite(req('POST', { host: '127.0.0.1:8088', origin }), policy) ?? '', /refused: only pages of http:\/\/127\.0\.0\.1:8088 and of corsOrigins may write/, origin);
    }
    // an allowed origin does not lift the DNS-rebinding check of the Host
    assert.match(crossSiteWrite(req('POST', { host: 'rebound.evil.example:8088', origin: PAGE }), policy) ?? '', /use 127\.0\.0\.1 or localhost/);
    assert.equal(crossSiteWrite(req('POST', { host: 'ditto.lab:8443', origin: PAGE }), { loopback: false, scheme: 'https', corsOrigins: allowed }), undefined);
  });
});

describe('dev cloud: CORS for the configured origins', () => {
  it('echoes an allowed Origin with Vary: Origin; nothing for others; no headers at all without corsOrigins', () => {
    assert.deepEqual(corsHeaders(req('GET', { origin: PAGE }), allowed), { 'access-control-allow-origin': PAGE, vary: 'Origin' });
    assert.deepEqual(corsHeaders(req('GET', { origin: 'http://evil.example' }), allowed), { vary: 'Origin' });
    assert.deepEqual(corsHeaders(req('GET', {}), allowed), { vary: 'Origin' });
    assert.deepEqual(corsHeaders(req('GET', { origin: PAGE }), new Set()), {});
  });

  it('answers a preflight from an allowed origin with the methods and headers the console sends, without credentials', () => {
    const a = answerOptions(req('OPTIONS', { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' }), allowed);
    assert.equal(a.status, 204);
    assert.equal(a.refused, undefined);
    assert.equal(a.headers['access-control-allow-origin'], PAGE);
    assert.deepEqual(a.headers['access-control-allow-methods']?.split(', '), ['GET', 'POST', 'PUT']);
    assert.deepEqual(a.headers['access-control-allow-headers']?.split(', '), ['authorization', 'content-type', 'correlation-id']);
    assert.equal(a.headers['vary'], 'Origin');
    assert.equal(a.headers['access-control-allow-credentials'], undefined);
  });

  it('refuses a preflight from any other origin (403, no Allow-Origin); a plain OPTIONS gets Allow', () => {
    for (const set of [allowed, new Set<string>()]) {
      const a = answerOptions(req('OPTIONS', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }), set);
      assert.equal(a.status, 403);
      assert.match(a.refused ?? '', /from http:\/\/evil\.example are refused: add it to the dev cloud's corsOrigins/);
      assert.equal(a.headers['access-control-allow-origin'], undefined);
    }
    const plain = answerOptions(req('OPTIONS', {}), allowed);
    assert.equal(plain.status, 204);
    assert.match(plain.headers['allow'] ?? '', /OPTIONS/);
  });

  it('guardCrossOrigin: headers first, then the preflight or the refusal; other requests pass on', () => {
    const fakeRes = () => {
      const r = { set: {} as Record<string, string>, status: 0, headers: {} as Record<string, string>, body: '' };
      const res = {
        setHeader: (k: string, v: string) => ((r.set[k] = v), res),
        writeHead: (status: number, headers: Record<string, string>) => ((r.status = status), (r.headers = headers), { end: (b?: string) => void (r.body = b ?? '') }),
      };
      return { r, res: res as unknown as Parameters<typeof guardCrossOrigin>[1] };
    };
    const policy = { loopback: true, corsOrigins: allowed };
    const pass = fakeRes();
    assert.equal(guardCrossOrigin(req('POST', { host: '127.0.0.1:8088', origin: PAGE }), pass.res, policy), false);
    assert.deepEqual(pass.r.set, { 'access-control-allow-origin': PAGE, vary: 'Origin' });
    const pre = fakeRes();
    assert.equal(guardCrossOrigin(req('OPTIONS', { host: '127.0.0.1:8088', origin: PAGE, 'access-control-request-method': 'PUT' }), pre.res, policy), true);
    assert.equal(pre.r.status, 204);
    const refused = fakeRes();
    assert.equal(guardCrossOrigin(req('POST', { host: '127.0.0.1:8088', origin: 'http://evil.example' }), refused.res, policy), true);
    assert.equal(refused.r.status, 403);
    assert.match(String((JSON.parse(refused.r.body) as { message: string }).message), /refused/);
    assert.equal(refused.r.set['access-control-allow-origin'], undefined);
  });
});
