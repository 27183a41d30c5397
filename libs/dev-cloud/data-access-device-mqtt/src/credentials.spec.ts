import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCredentialStore, parseHonoUsername } from './credentials';

describe('credentials', () => {
  const store = createCredentialStore([{ tenant: 'demo', authId: 'gw-auth', deviceId: 'demo:gw', password: 'gw-password' }]);
  it('lets a device in with <authId>@<tenant> and its password', () => {
    assert.deepEqual(store.check('gw-auth@demo', Buffer.from('gw-password')), { ok: true, device: { tenant: 'demo', deviceId: 'demo:gw' } });
  });
  it('refuses wrong, missing and unknown', () => {
    const code = (u: string | undefined, p: string | undefined) => {
      const r = store.check(u, p === undefined ? undefined : Buffer.from(p));
      return r.ok ? 0 : r.returnCode;
    };
    assert.equal(code('gw-auth@demo', 'gw-passwore'), 4);
    assert.equal(code('gw-auth@demo', 'gw-password-longer'), 4);
    assert.equal(code('gw-auth@demo', ''), 4);
    assert.equal(code('gw-auth@demo', undefined), 4);
    assert.equal(code('gw-auth@other', 'gw-password'), 4);
    assert.equal(code('gw-auth', 'gw-password'), 4);
    assert.equal(code('@demo', 'gw-password'), 4);
    assert.equal(code('demo:gw', 'gw-password'), 4, 'the device ID is not the auth ID');
    assert.equal(code(undefined, 'gw-password'), 5);
    assert.equal(code('', undefined), 5);
  });
  it('splits the user name at the last @', () => {
    assert.deepEqual(parseHonoUsername('a@b@t'), { authId: 'a@b', tenant: 't' });
    assert.equal(parseHonoUsername('a@'), undefined);
    assert.equal(parseHonoUsername('a'), undefined);
  });
});
