import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicAuthorization, describeTarget, loadTarget, parseBaseUrl, saveTarget, SETTINGS_KEY } from './settings';

const PAGE = 'http://127.0.0.1:8088';

const memoryStorage = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
};

describe('console Ditto settings', () => {
  it('base URL: empty is the page itself; Ditto\'s /api/2 and trailing slashes are dropped; a path prefix stays', () => {
    for (const [text, want] of [
      ['', PAGE],
      ['  ', PAGE],
      ['http://localhost:8080', 'http://localhost:8080'],
      ['http://localhost:8080/', 'http://localhost:8080'],
      ['https://ditto.example/api/2', 'https://ditto.example'],
      ['https://ditto.example/api/2/', 'https://ditto.example'],
      ['https://proxy.example/ditto/', 'https://proxy.example/ditto'],
    ] as const) assert.deepEqual(parseBaseUrl(text, PAGE), { ok: true, baseUrl: want }, text);
  });

  it('base URL: refuses what is not an http(s) URL, and credentials, a query or a fragment in it', () => {
    for (const [text, why] of [
      ['localhost:8080', /not http or https|not a URL/],
      ['ditto', /not a URL/],
      ['ftp://ditto.example', /not http or https/],
      ['http://ditto:ditto@localhost:8080', /user and the password in their fields/],
      ['http://localhost:8080/?x=1', /no \?query/],
      ['http://localhost:8080/#x', /no \?query or #fragment/],
    ] as const) {
      const r = parseBaseUrl(text, PAGE);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? '' : r.problem, why, text);
    }
  });

  it('Basic authorization of RFC 7617, UTF-8; none without a user', () => {
    assert.equal(basicAuthorization({ username: 'ditto', password: 'ditto' }), 'Basic ZGl0dG86ZGl0dG8=');
    assert.equal(basicAuthorization({ username: 'jürgen', password: 'p:w€' }), `Basic ${Buffer.from('jürgen:p:w€', 'utf8').toString('base64')}`);
    assert.equal(basicAuthorization({ username: '', password: 'x' }), undefined);
  });

  it('kept in the given (session) storage; anything damaged there is the page itself again', () => {
    const s = memoryStorage();
    assert.deepEqual(loadTarget(s, PAGE), { baseUrl: PAGE, username: '', password: '' });
    assert.deepEqual(loadTarget(undefined, PAGE), { baseUrl: PAGE, username: '', password: '' });
    const target = { baseUrl: 'http://localhost:8080', username: 'ditto', password: 'ditto' };
    saveTarget(s, target);
    assert.deepEqual(loadTarget(s, PAGE), target);
    for (const bad of ['{', '"x"', '{"baseUrl":"ftp://x"}', '{"baseUrl":1}']) {
      s.m.set(SETTINGS_KEY, bad);
      assert.deepEqual(loadTarget(s, PAGE), { baseUrl: PAGE, username: '', password: '' }, bad);
    }
  });

  it('describes the target without its password', () => {
    assert.equal(describeTarget({ baseUrl: PAGE, username: '', password: '' }, PAGE), 'this dev cloud');
    assert.equal(describeTarget({ baseUrl: 'http://localhost:8080', username: 'ditto', password: 'secret' }, PAGE), 'http://localhost:8080 as ditto');
  });
});
