import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileAcl, parseAclRules, type AclRule, type ClientIdentity } from './acl';

type Check = [who: ClientIdentity, op: 'publish' | 'subscribe' | 'receive', topic: string, allowed: boolean];

const rules: AclRule[] = [
  // every client: its own subtree, by client id and by user name
  { permission: 'allow', action: 'both', topic: 'dev/%c/#' },
  { permission: 'allow', action: 'subscribe', topic: 'users/%u/inbox' },
  // the connector: commands of everyone, the $SYS log
  { user: 'connector', permission: 'allow', action: 'both', topic: 'command//+/req/#' },
  { user: 'connector', permission: 'allow', action: 'subscribe', topic: '$SYS/broker/log/#' },
  { user: 'connector', permission: 'allow', action: 'both', topic: 'e/#' },
  { user: 'connector', permission: 'deny', action: 'both', topic: 'e/secret/#' },
  { clientId: 'monitor', permission: 'allow', action: 'subscribe', topic: '#' },
  { clientId: 'monitor', permission: 'deny', action: 'subscribe', topic: 'private/#' },
  { anonymous: true, permission: 'allow', action: 'publish', topic: 'public/in' },
];

const anon = (clientId: string): ClientIdentity => ({ clientId });
const user = (clientId: string, username: string): ClientIdentity => ({ clientId, username });

describe('ACL', () => {
  it('allows everything without rules', () => {
    assert.equal(compileAcl([], anon('x')), undefined);
  });

  it('evaluates allow/deny, selectors and %c/%u as documented', () => {
    const table: Check[] = [
      [anon('c1'), 'publish', 'dev/c1/out', true],
      [anon('c1'), 'subscribe', 'dev/c1/#', true],
      [anon('c1'), 'subscribe', 'dev/+/x', false], // not covered: could match other clients' trees
      [anon('c1'), 'publish', 'dev/c2/out', false],
      [anon('c1'), 'subscribe', 'users/c1/inbox', false], // %u needs a user name
      [user('c1', 'alice'), 'subscribe', 'users/alice/inbox', true],
      [user('c1', 'alice'), 'publish', 'users/alice/inbox', false], // subscribe-only rule
      [user('a/b', 'alice'), 'publish', 'dev/a/b/x', false], // '/' in the id: %c rule does not apply
      [user('+', 'alice'), 'subscribe', 'dev/+/x', false], // no wildcard injection through %c
      [user('x', '#'), 'subscribe', 'users/#', false],
      [user('conn', 'connector'), 'subscribe', 'command//+/req/#', true],
      [user('conn', 'connector'), 'subscribe', 'command//dev:1/req/#', true],
      [user('conn', 'connector'), 'subscribe', '$SYS/broker/log/#', true],
      [user('conn', 'connector'), 'subscribe', '#', false],
      [user('conn', 'connector'), 'publish', 'e/t/d', true],
      [user('conn', 'connector'), 'publish', 'e/secret/x', false], // deny wins over the wider allow
      [user('conn', 'connector'), 'subscribe', 'e/#', true], // allowed as a filter...
      [user('conn', 'connector'), 'receive', 'e/secret/x', false], // ...but denied messages are not delivered
      [user('conn', 'connector'), 'receive', 'e/t/d', true],
      [anon('monitor'), 'subscribe', '#', true],
      [anon('monitor'), 'subscribe', 'private/#', false],
      [anon('monitor'), 'receive', 'private/x', false],
      [anon('monitor'), 'receive', '$SYS/broker/log/N', false], // '#' does not reach $ topics
      [anon('anyone'), 'publish', 'public/in', true],
      [user('anyone', 'bob'), 'publish', 'public/in', false], // anonymous-only rule
    ];
    for (const [who, op, topic, allowed] of table) {
      const acl = compileAcl(rules, who)!;
      const got = op === 'publish' ? acl.canPublish(topic) : op === 'subscribe' ? acl.canSubscribe(topic) : acl.canReceive(topic);
      assert.equal(got, allowed, `${JSON.stringify(who)} ${op} ${topic}`);
    }
  });

  it('validates the config value and names the bad rule', () => {
    assert.deepEqual(parseAclRules([{ permission: 'allow', action: 'both', topic: '#' }]), [{ permission: 'allow', action: 'both', topic: '#' }]);
    const bad: [unknown, RegExp][] = [
      [{}, /list/],
      [[null], /rule 0: must be an object/],
      [[{ permission: 'maybe', action: 'both', topic: '#' }], /rule 0: permission/],
      [[{ permission: 'allow', action: 'read', topic: '#' }], /rule 0: action/],
      [[{ permission: 'allow', action: 'both' }], /rule 0: topic must be a string/],
      [[{ permission: 'allow', action: 'both', topic: 'a/#/b' }], /rule 0: topic "a\/#\/b"/],
      [[{ permission: 'allow', action: 'both', topic: '#', users: 'x' }], /unknown key\(s\) users/],
      [[{ permission: 'allow', action: 'both', topic: '#', user: '' }], /user must be a non-empty string/],
      [[{ permission: 'allow', action: 'both', topic: '#', user: 'a', anonymous: true }], /exclude each other/],
    ];
    for (const [value, re] of bad) {
      const r = parseAclRules(value);
      assert.equal(typeof r, 'string', JSON.stringify(value));
      assert.match(r as string, re);
    }
  });
});
