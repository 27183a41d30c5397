import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { defaultBrokerConfig } from './config';
import { localEndpointOf, planHostedBus } from './hosted-bus';

const listeners = { host: '127.0.0.1', port: 1883, tlsPort: -1, tlsCa: '', tlsCert: '', wsPort: -1 };

describe('the local bus ledge run hands its hosted apps', () => {
  it('dials the plain listener first, then TLS (the CA, else the server certificate), then WebSocket; loopback for a wildcard bind', () => {
    const table: [Partial<typeof listeners>, ReturnType<typeof localEndpointOf>][] = [
      [{}, { localAddress: 'tcp://127.0.0.1:1883', localCACert: '' }],
      [{ host: '0.0.0.0', port: 18884 }, { localAddress: 'tcp://127.0.0.1:18884', localCACert: '' }],
      [{ host: '::' }, { localAddress: 'tcp://[::1]:1883', localCACert: '' }],
      [{ host: 'fd00::1' }, { localAddress: 'tcp://[fd00::1]:1883', localCACert: '' }],
      [{ port: -1, tlsPort: 8883, tlsCa: '/etc/ledge/ca.pem', tlsCert: '/etc/ledge/server.pem' }, { localAddress: 'mqtts://127.0.0.1:8883', localCACert: '/etc/ledge/ca.pem' }],
      [{ port: -1, tlsPort: 8883, tlsCert: '/etc/ledge/self-signed.pem' }, { localAddress: 'mqtts://127.0.0.1:8883', localCACert: '/etc/ledge/self-signed.pem' }],
      [{ port: -1, wsPort: 8080 }, { localAddress: 'ws://127.0.0.1:8080', localCACert: '' }],
      [{ port: -1 }, undefined],
    ];
    for (const [change, want] of table) assert.deepEqual(localEndpointOf({ ...listeners, ...change }), want, JSON.stringify(change));
  });

  it("Kanto's open bus (ledgeAcl off, anonymous clients allowed): the address only, no accounts", () => {
    const plan = planHostedBus({ ...defaultBrokerConfig, port: 4242, ledgeAcl: 'off' }, { apps: ['broker', 'connector', 'file-upload'], secret: () => 'x' });
    assert.deepEqual(plan.broker, {});
    assert.deepEqual(plan.apps, { connector: { localAddress: 'tcp://127.0.0.1:4242', localCACert: '' }, 'file-upload': { localAddress: 'tcp://127.0.0.1:4242', localCACert: '' } });
  });

  it('by default (built-in ACL auto): an account per hosted app, so the broker knows ledge-connector and the ACL is on', () => {
    const plan = planHostedBus(defaultBrokerConfig, { apps: ['broker', 'connector', 'software-update'], secret: (app) => `pw-${app}` });
    assert.deepEqual(
      (plan.broker.users as { username: string }[]).map((u) => u.username),
      ['ledge-connector', 'ledge-software-update'],
    );
    assert.equal(plan.apps['software-update']?.localUsername, 'ledge-software-update');
    const packaged = planHostedBus(defaultBrokerConfig, { apps: ['broker', 'connector', 'software-update'], secret: (app) => `pw-${app}`, existingUsers: ['ledge-connector'] });
    assert.deepEqual((packaged.broker.users as { username: string }[]).map((u) => u.username), ['ledge-software-update'], 'an account in the password file (the packages\' one) is left to its owner');
  });

  it('with local auth on: an account per hosted app, hashed in the broker, plain in the app; users named by the user are kept', () => {
    const users = [{ username: 'alice', password: 'sha256:' + 'a'.repeat(64) }, { username: 'ledge-file-upload', password: 'mine' }];
    const plan = planHostedBus({ ...defaultBrokerConfig, allowAnonymous: false, users }, { apps: ['broker', 'connector', 'file-upload'], secret: (app) => `secret-of-${app}` });
    assert.deepEqual(plan.broker.users, [...users, { username: 'ledge-connector', password: `sha256:${createHash('sha256').update('secret-of-connector').digest('hex')}` }]);
    assert.deepEqual(plan.apps['connector'], { localAddress: 'tcp://127.0.0.1:1883', localCACert: '', localUsername: 'ledge-connector', localPassword: 'secret-of-connector' });
    assert.deepEqual(plan.apps['file-upload'], { localAddress: 'tcp://127.0.0.1:1883', localCACert: '' }, 'the user configured this account: its password is theirs to hand out');
    assert.equal(plan.apps['broker'], undefined);
  });

  it('no listener on: nothing to hand out', () => {
    assert.deepEqual(planHostedBus({ ...defaultBrokerConfig, port: -1 }, { apps: ['broker', 'connector'], secret: () => 'x' }), { broker: {}, apps: {} });
  });

  it("declares the sessions hosted apps need (the connector's) unless the user declared that client already", () => {
    const connector = { clientId: 'ledge-connector', subscriptions: [{ topic: 'e/#', qos: 1 as const }] };
    const sessionOf = (app: string) => (app === 'connector' ? connector : undefined);
    const plan = planHostedBus(defaultBrokerConfig, { apps: ['broker', 'connector', 'file-upload'], secret: () => 'x', sessionOf });
    assert.deepEqual(plan.broker.durableSessions, [connector]);
    const mine = { clientId: 'ledge-connector', subscriptions: [{ topic: 't/#', qos: 1 as const }] };
    const kept = planHostedBus({ ...defaultBrokerConfig, durableSessions: [mine] }, { apps: ['broker', 'connector'], secret: () => 'x', sessionOf });
    assert.equal(kept.broker.durableSessions, undefined, 'the user\'s declaration stands');
    assert.equal(planHostedBus(defaultBrokerConfig, { apps: ['broker', 'file-upload'], secret: () => 'x', sessionOf }).broker.durableSessions, undefined, 'no connector hosted');
  });
});
