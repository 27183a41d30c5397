import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, parsePasswordFile, storedPasswordProblem, verifyPassword } from './passwords';

const pw = (s: string) => Buffer.from(s, 'utf8');

describe('passwords', () => {
  it('hashes with PBKDF2 and verifies', async () => {
    const stored = await hashPassword('s3cret', { iterations: 1000 });
    assert.match(stored, /^pbkdf2:sha512:1000:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword(stored, pw('s3cret')), true);
    assert.equal(await verifyPassword(stored, pw('s3cret ')), false);
    assert.notEqual(await hashPassword('s3cret', { iterations: 1000 }), stored, 'random salt');
  });

  it('verifies every supported stored format', async () => {
    const salt = randomBytes(12);
    const sha512salted = createHash('sha512').update('pw6').update(salt).digest('base64');
    const cases: [stored: string, good: string][] = [
      ['plain-text', 'plain-text'],
      ['plain:sha256:looks-like-a-hash', 'sha256:looks-like-a-hash'],
      [`sha256:${createHash('sha256').update('pw').digest('hex')}`, 'pw'],
      [await hashPassword('pw2', { digest: 'sha256', iterations: 10 }), 'pw2'],
      // made by `mosquitto_passwd -b file alice secret` (mosquitto 2.0.11)
      ['$7$101$907awlymtfvyfMcS$KHK4S9giFh1UZO+KK3Qmj02vqYwJVcLR5JYvyVjMYm+75lT1nLC70VZ6hSkcp9tFmJYTylgicWLd3APaJUvsGg==', 'secret'],
      [`$6$${salt.toString('base64')}$${sha512salted}`, 'pw6'],
    ];
    for (const [stored, good] of cases) {
      assert.equal(storedPasswordProblem(stored), undefined, stored);
      assert.equal(await verifyPassword(stored, pw(good)), true, `${stored} accepts ${good}`);
      assert.equal(await verifyPassword(stored, pw(`${good}x`)), false, `${stored} refuses a wrong password`);
      assert.equal(await verifyPassword(stored, Buffer.alloc(0)), false);
    }
  });

  it('reports unusable stored entries', () => {
    for (const bad of ['sha256:xyz', 'pbkdf2:md5:1:a:b', 'pbkdf2:sha512:0:AAAA:AAAA', 'pbkdf2:sha512:10:AAAA', '$7$x$a$b', '$6$only']) {
      assert.notEqual(storedPasswordProblem(bad), undefined, bad);
    }
  });

  it('parses a Mosquitto password file', () => {
    assert.deepEqual(parsePasswordFile('# c\nalice:$7$1$AA$BB\n\nbob:pw:with:colons\n'), [
      { username: 'alice', password: '$7$1$AA$BB' },
      { username: 'bob', password: 'pw:with:colons' },
    ]);
    assert.match(parsePasswordFile('nocolon') as string, /line 1/);
  });
});
