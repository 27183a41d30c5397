import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthenticator, isLoopback } from './auth';

const LOCAL = { address: '127.0.0.1' };
const REMOTE = { address: '192.168.1.20' };
const pw = (s: string) => Buffer.from(s);

describe('authentication', () => {
  it('recognises loopback peers', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', '1127.0.0.1']) assert.equal(isLoopback(a), false, a);
  });

  it('applies the anonymous rules per peer', async () => {
    const defaults = createAuthenticator({ users: [], allowAnonymous: true, allowAnonymousRemote: false });
    assert.deepEqual(await defaults.check(undefined, undefined, LOCAL), { ok: true, username: undefined });
    assert.equal((await defaults.check(undefined, undefined, REMOTE)).ok, false);
    assert.deepEqual(await defaults.check('anyone', pw('x'), LOCAL), { ok: true, username: 'anyone' }, 'no users: names are taken as given');
    const open = createAuthenticator({ users: [], allowAnonymous: true, allowAnonymousRemote: true });
    assert.equal((await open.check(undefined, undefined, REMOTE)).ok, true);
    const closed = createAuthenticator({ users: [], allowAnonymous: false, allowAnonymousRemote: true });
    const r = await closed.check(undefined, undefined, LOCAL);
    assert.equal(r.ok === false && r.returnCode, 5);
  });

  it('checks configured users: CONNACK 4 for bad credentials, 5 for refused anonymous', async () => {
    const auth = createAuthenticator({ users: [{ username: 'alice', password: 'secret' }], allowAnonymous: false, allowAnonymousRemote: false });
    assert.deepEqual(await auth.check('alice', pw('secret'), REMOTE), { ok: true, username: 'alice' });
    for (const [u, p] of [['alice', 'wrong'], ['alice', undefined], ['mallory', 'secret']] as const) {
      const r = await auth.check(u, p === undefined ? undefined : pw(p), LOCAL);
      assert.equal(r.ok === false && r.returnCode, 4, `${u}/${p}`);
    }
    const anon = await auth.check(undefined, undefined, LOCAL);
    assert.equal(anon.ok === false && anon.returnCode, 5);
  });
});
