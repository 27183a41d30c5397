import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAclFile } from './acl-file';

describe('Mosquitto ACL file', () => {
  it('translates topic/user/pattern lines into rules', () => {
    const text = [
      '# anonymous clients',
      'topic read public/#',
      '',
      'user alice',
      'topic readwrite a/#',
      'topic deny a/secret',
      'topic write out/with space',
      'pattern write dev/%c/out',
      'user connector',
      'topic $SYS/broker/log/#',
    ].join('\n');
    assert.deepEqual(parseAclFile(text), [
      { permission: 'allow', action: 'subscribe', topic: 'public/#', anonymous: true },
      { permission: 'allow', action: 'both', topic: 'a/#', user: 'alice' },
      { permission: 'deny', action: 'both', topic: 'a/secret', user: 'alice' },
      { permission: 'allow', action: 'publish', topic: 'out/with space', user: 'alice' },
      { permission: 'allow', action: 'publish', topic: 'dev/%c/out' },
      { permission: 'allow', action: 'both', topic: '$SYS/broker/log/#', user: 'connector' },
    ]);
  });

  it('names the bad line', () => {
    assert.match(parseAclFile('user a\nfoo bar') as string, /^line 2: unknown keyword "foo"/);
    assert.match(parseAclFile('topic read a/#/b') as string, /^line 1: /);
    assert.match(parseAclFile('user') as string, /^line 1: user needs a name/);
    assert.match(parseAclFile('pattern') as string, /^line 1: missing topic/);
    // like Mosquitto, a lone access word is the topic itself
    assert.deepEqual(parseAclFile('topic read'), [{ permission: 'allow', action: 'both', topic: 'read', anonymous: true }]);
  });
});
