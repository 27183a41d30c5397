import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { updateTopics, UPDATE_MANAGER_USER } from '@ledge/shared/model-update';
import { compileAcl } from './acl';
import { hostedAppUser } from './hosted-bus';
import { bothAcls, healthOwners, ledgeAcl, ledgeAclActive } from './ledge-acl';

describe("Ledge's built-in ACL", () => {
  it('only ledge-connector publishes cloud commands, identity and link status; everything else stays open', () => {
    const table: [string, boolean, boolean][] = [
      // topic, anyone else may publish, connector may publish
      ['command///req/x1/install', false, true],
      ['c///q/x1/install', false, true],
      ['command//demo:gw:edge:containers/req/r1/create', false, true],
      ['command/tenant/demo:gw/req/r1/op', false, true],
      ['edge/thing/response', false, true],
      ['edge/connection/remote/status', false, true],
      ['command///res/x1/204', true, true],
      ['c//demo:gw:edge:containers/s/r1/200', true, true],
      ['e', true, true],
      ['event/demo/demo:gw', true, true],
      ['t', true, true],
      ['edge/thing/request', true, true],
      ['myapp/readings', true, true],
      ['command', true, true],
    ];
    const anonymous = ledgeAcl({ clientId: 'x' });
    const user = ledgeAcl({ clientId: 'x', username: 'alice' });
    const app = ledgeAcl({ clientId: 'ledge-software-update-1', username: 'ledge-software-update' });
    const connector = ledgeAcl({ clientId: 'ledge-connector', username: 'ledge-connector' });
    for (const [topic, others, conn] of table) {
      for (const [who, acl] of [['anonymous', anonymous], ['alice', user], ['software-update', app]] as const) assert.equal(acl.canPublish(topic), others, `${who} → ${topic}`);
      assert.equal(connector.canPublish(topic), conn, `connector → ${topic}`);
    }
    assert.ok(anonymous.canSubscribe('command//+/req/#') && anonymous.canReceive('command///req/x1/install'), 'third-party apps still receive commands');
  });

  it("lets only an app's own account publish a Ledge app's health; the broker's, nobody; other names stay open", () => {
    const owners = healthOwners(['alice', 'ledge-connector', 'ledge-software-update', 'ledge-file-upload']);
    assert.deepEqual([...owners].sort(), ['broker', 'connector', 'file-upload', 'software-update']);
    const who = (username?: string) => ledgeAcl({ clientId: 'x', ...(username ? { username } : {}) }, owners);
    const table: [string | undefined, string, boolean][] = [
      ['ledge-software-update', 'edge/health/software-update', true],
      ['ledge-file-upload', 'edge/health/software-update', false],
      ['ledge-connector', 'edge/health/software-update', false], // the connector's privilege is the cloud's topics, not others' health
      [undefined, 'edge/health/software-update', false],
      ['alice', 'edge/health/connector', false],
      ['ledge-connector', 'edge/health/broker', false],
      [undefined, 'edge/health/broker', false],
      [undefined, 'edge/health/thermometer', true], // a third-party app's own health
      [undefined, 'edge/health/container-management', true], // no such account on this broker: not reserved
      [undefined, 'edge/health/request', true],
      ['alice', 'edge/health/request', true],
    ];
    for (const [username, topic, allowed] of table) assert.equal(who(username).canPublish(topic), allowed, `${username ?? 'anonymous'} → ${topic}`);
  });

  it("lets only file upload ask for and read containers' logs, and only container management answer", () => {
    const who = (username?: string) => ledgeAcl({ clientId: 'x', ...(username ? { username } : {}) });
    const [fu, cm, connector, anonymous] = [who('ledge-file-upload'), who('ledge-container-management'), who('ledge-connector'), who()];
    const request = 'edge/containers/logs/request';
    const response = 'edge/containers/logs/response/r1';
    assert.deepEqual([fu, cm, connector, anonymous].map((a) => a.canPublish(request)), [true, false, false, false], 'publish the request');
    assert.deepEqual([fu, cm, connector, anonymous].map((a) => a.canPublish(response)), [false, true, false, false], 'publish an answer');
    assert.deepEqual([fu, cm, connector, anonymous].map((a) => a.canReceive(response)), [true, false, false, false], 'receive an answer');
    assert.ok(cm.canReceive(request) && anonymous.canReceive('edge/containers/other') && anonymous.canPublish('edge/containers/other'));
    assert.ok(anonymous.canSubscribe('#'), 'a wide subscription stays allowed; the answers are not delivered to it');
  });

  it("lets only ledge-update-manager give the update contract's orders; reports stay open for third-party agents", () => {
    assert.equal(hostedAppUser('update-manager'), UPDATE_MANAGER_USER, '`ledge run` makes the account the rule names');
    const who = (username?: string) => ledgeAcl({ clientId: 'x', ...(username ? { username } : {}) });
    const [manager, anonymous, alice, cm, connector] = [who(UPDATE_MANAGER_USER), who(), who('alice'), who('ledge-container-management'), who('ledge-connector')];
    const [device, containers, selfUpdate] = [updateTopics('device'), updateTopics('containers'), updateTopics('self-update')];
    // topic, anyone but the manager's account may publish
    const table: [string, boolean][] = [
      [device.desiredState, false], // the manager's local API: `ledge um` logs in as the manager
      [device.ownerConsentFeedback, false],
      [containers.desiredState, false], // straight to container management's agent
      [containers.command, false],
      [selfUpdate.desiredState, false],
      [selfUpdate.command, false],
      [containers.feedback, true],
      [containers.currentState, true],
      [selfUpdate.feedback, true], // Leda's self-update agent reports without a Ledge account
      [selfUpdate.currentState, true],
      [device.currentStateGet, true],
      [device.ownerConsent, true],
      ['desiredstate', true],
      ['a/b/desiredstate', true],
    ];
    for (const [topic, others] of table) {
      assert.equal(manager.canPublish(topic), true, `ledge-update-manager → ${topic}`);
      for (const [name, acl] of [['anonymous', anonymous], ['alice', alice], ['container-management', cm], ['connector', connector]] as const) assert.equal(acl.canPublish(topic), others, `${name} → ${topic}`);
    }
    assert.ok(anonymous.canSubscribe('containersupdate/desiredstate') && anonymous.canReceive(containers.desiredState), "a third-party agent still receives its orders");
    assert.equal(manager.canPublish('command///req/x1/install'), false, "the manager's privilege is the orders alone");
  });

  it('is on with `on`, off with `off`, and with `auto` exactly when the connector has an account', () => {
    assert.equal(ledgeAclActive('on', []), true);
    assert.equal(ledgeAclActive('off', ['ledge-connector']), false);
    assert.equal(ledgeAclActive('auto', ['alice', 'ledge-connector']), true);
    assert.equal(ledgeAclActive('auto', ['alice']), false);
  });

  it("is combined with the user's rules: both must allow", () => {
    const rules = compileAcl([{ permission: 'allow', action: 'both', topic: 'e/#' }, { permission: 'allow', action: 'both', topic: 'command/#' }], { clientId: 'c', username: 'alice' });
    const acl = bothAcls(rules, ledgeAcl({ clientId: 'c', username: 'alice' }))!;
    assert.equal(acl.canPublish('e/x'), true);
    assert.equal(acl.canPublish('t'), false, "the user's rules say no");
    assert.equal(acl.canPublish('command///req/1/op'), false, 'the built-in rules say no');
    assert.equal(bothAcls(undefined, undefined), undefined);
  });
});
