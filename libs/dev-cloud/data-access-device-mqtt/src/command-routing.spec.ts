import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandFilter } from './command-filters';
import { commandProblem, routeCommand, type CommandTaker } from './command-routing';

const gw = { tenant: 'demo', deviceId: 'demo:gw' };
const command = (deviceId: string, tenant = 'demo') => ({ device: { tenant, deviceId }, requestId: 'r-1', subject: 'install', payload: Buffer.from('{}') });
const taker = (device: typeof gw, ...filters: string[]): CommandTaker<string> => ({ device, subscriptions: filters.map((filter) => ({ filter, qos: 1 })), handle: device.deviceId });

describe('command subscriptions (Hono CommandSubscription)', () => {
  const accepted: [filter: string, scope: string][] = [
    ['command///req/#', 'own'],
    ['c///q/#', 'own'],
    ['command//+/req/#', 'all'],
    ['c//+/q/#', 'all'],
    ['command/demo//req/#', 'own'],
    ['command/demo/+/req/#', 'all'],
    ['command//demo:gw/req/#', 'own'],
    ['c/demo/demo:gw/q/#', 'own'],
    ['command//demo:gw:edge:containers/req/#', 'device'],
  ];
  for (const [filter, scope] of accepted) {
    it(`takes ${filter}`, () => {
      const f = parseCommandFilter(filter, gw);
      assert.ok(typeof f !== 'string', String(f));
      assert.equal(f.scope.kind, scope);
    });
  }
  const refused = ['#', '+/#', 'command/#', 'command/+/+/req/#', 'command/other//req/#', 'command//demo:other/req/#', 'command//demo:gwx/req/#', 'c///req/#', 'command///q/#',
    'command///req/+', 'command///req', 'command///res/#', 'e/#', 'command//a+b/req/#', '', 'command///req/#/x'];
  for (const filter of refused) {
    it(`refuses ${JSON.stringify(filter)}`, () => assert.equal(typeof parseCommandFilter(filter, gw), 'string'));
  }
  it('refuses what is not a string', () => assert.equal(typeof parseCommandFilter(undefined, gw), 'string'));
});

describe('command routing', () => {
  const sensor = { tenant: 'demo', deviceId: 'demo:sensor' };
  const route = (c: ReturnType<typeof command>, ...takers: CommandTaker<string>[]) => {
    const r = routeCommand(c, takers);
    return r && { to: r.handle, topic: r.topic, qos: r.qos };
  };

  it('goes to the device itself, in the form it subscribed', () => {
    assert.deepEqual(route(command('demo:gw'), taker(gw, 'command///req/#')), { to: 'demo:gw', topic: 'command///req/r-1/install', qos: 1 });
    assert.deepEqual(route(command('demo:gw'), taker(gw, 'c///q/#')), { to: 'demo:gw', topic: 'c///q/r-1/install', qos: 1 });
    assert.deepEqual(route(command('demo:gw'), taker(gw, 'command//+/req/#')), { to: 'demo:gw', topic: 'command///req/r-1/install', qos: 1 });
    assert.deepEqual(route(command('demo:gw'), taker(gw, 'command/demo/demo:gw/req/#')), { to: 'demo:gw', topic: 'command/demo/demo:gw/req/r-1/install', qos: 1 });
    assert.deepEqual(route(command('demo:gw'), taker(gw, 'command///req/#', 'c///q/#')), { to: 'demo:gw', topic: 'c///q/r-1/install', qos: 1 }, 'the latest subscription');
  });

  it('goes through the gateway subscribed for the device behind it', () => {
    const c = command('demo:gw:edge:containers');
    assert.deepEqual(route(c, taker(gw, 'command//+/req/#')), { to: 'demo:gw', topic: 'command//demo:gw:edge:containers/req/r-1/install', qos: 1 });
    assert.deepEqual(route(c, taker(gw, 'c//demo:gw:edge:containers/q/#')), { to: 'demo:gw', topic: 'c//demo:gw:edge:containers/q/r-1/install', qos: 1 });
    assert.equal(route(c, taker(gw, 'command///req/#')), undefined, 'subscribed for its own commands only');
    const self = { tenant: 'demo', deviceId: 'demo:gw:edge:containers' };
    assert.equal(route(c, taker(gw, 'command//+/req/#'), taker(self, 'command///req/#'))?.to, 'demo:gw:edge:containers', 'the device itself first');
    const inner = { tenant: 'demo', deviceId: 'demo:gw:edge' };
    assert.equal(route(c, taker(gw, 'command//+/req/#'), taker(inner, 'command//+/req/#'))?.to, 'demo:gw:edge', 'the nearest gateway');
  });

  it('reaches nobody else', () => {
    assert.equal(route(command('demo:gw'), taker(sensor, 'command//+/req/#')), undefined);
    assert.equal(route(command('demo:gw:x', 'other'), taker(gw, 'command//+/req/#')), undefined, 'another tenant');
    assert.equal(route(command('demo:gw'), taker(gw, '#')), undefined, 'a filter that is not a command subscription');
    assert.equal(route(command('demo:gw')), undefined);
  });

  it('keeps QoS 0 for a QoS 0 subscription', () => {
    assert.equal(routeCommand(command('demo:gw'), [{ device: gw, subscriptions: [{ filter: 'command///req/#', qos: 0 }], handle: 1 }])?.qos, 0);
  });

  it('refuses commands that do not fit a topic', () => {
    assert.equal(commandProblem(command('demo:gw')), undefined);
    assert.equal(commandProblem({ ...command('demo:gw'), requestId: '' }), undefined, 'one-way');
    assert.equal(commandProblem({ ...command('demo:gw'), subject: 'a/b' }), undefined, 'a subject may contain /');
    for (const bad of [{ requestId: 'a/b' }, { requestId: '#' }, { subject: '' }, { subject: 'x+' }, { device: { tenant: 'demo', deviceId: '' } }, { device: { tenant: 'de/mo', deviceId: 'x' } }, { payload: 'str' }]) {
      assert.equal(typeof commandProblem({ ...command('demo:gw'), ...bad } as never), 'string', JSON.stringify(bad));
    }
  });
});
