import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossSiteWrite } from './dev-cloud-app';

const req = (method: string, headers: Record<string, string>) => ({ method, headers });

describe('dev cloud: writes from other sites are refused', () => {
  it("lets curl (no Origin), reads and the console's own page write", () => {
    assert.equal(crossSiteWrite(req('POST', { host: '127.0.0.1:8088' }), true), undefined);
    assert.equal(crossSiteWrite(req('GET', { host: '127.0.0.1:8088', origin: 'http://evil.example' }), true), undefined);
    assert.equal(crossSiteWrite(req('PUT', { host: 'localhost:8088', origin: 'http://localhost:8088' }), true), undefined);
    assert.equal(crossSiteWrite(req('POST', { host: 'pi-lab.local:8088', origin: 'http://pi-lab.local:8088' }), false), undefined);
  });

  it('refuses a page of another origin, and a rebound name on loopback', () => {
    assert.match(crossSiteWrite(req('POST', { host: '127.0.0.1:8088', origin: 'http://evil.example' }), true) ?? '', /writes from http:\/\/evil\.example are refused/);
    assert.match(crossSiteWrite(req('DELETE', { host: 'rebound.evil.example:8088', origin: 'http://rebound.evil.example:8088' }), true) ?? '', /use 127\.0\.0\.1 or localhost/);
    assert.match(crossSiteWrite(req('POST', { origin: 'null' }), true) ?? '', /refused/);
  });
});
