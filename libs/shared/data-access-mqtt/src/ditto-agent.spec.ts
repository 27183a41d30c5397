import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { InvalidArgumentError, NotFoundError } from '@ledge/shared/util';
import { captureLogger } from '@ledge/shared/util/testing';
import { createDittoAgent, type DittoCommand } from './ditto-agent';
import { createFakeLocalBus } from './testing/fake-local-bus';

const ID = '{"deviceId":"demo:gw","tenantId":"demo"}';

async function setup(t: TestContext, thingSuffix = '') {
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ clientId: 'app', logger: log.logger });
  await client.start();
  const agent = createDittoAgent({ bus: client, logger: log.logger, thingSuffix });
  t.after(async () => {
    await agent.close();
    await client.close();
  });
  await agent.start();
  bus.inject('edge/thing/response', ID);
  await bus.flush();
  const thingId = await agent.ready();
  await bus.flush();
  const out = (prefix: string) =>
    bus.published.filter((p) => p.clientId === 'app' && p.topic.startsWith(prefix)).map((p) => ({ topic: p.topic, env: JSON.parse(p.payload.toString()) as Record<string, unknown> }));
  const send = async (topic: string, env: unknown) => {
    bus.inject(topic, typeof env === 'string' ? env : JSON.stringify(env));
    await bus.idle();
  };
  return { bus, agent, thingId, out, send, log };
}

const inbox = (thing: string, feature: string, op: string, value: unknown, cid = 'c-1') => ({
  topic: `${thing.replace(':', '/')}/things/live/messages/${op}`,
  headers: { 'correlation-id': cid, 'response-required': true },
  path: `/features/${feature}/inbox/messages/${op}`,
  value,
});

describe('createDittoAgent', () => {
  it('serves the gateway thing: handler result → response on command///res, once for both topic forms', async (t) => {
    const { agent, thingId, out, send } = await setup(t);
    assert.equal(thingId, 'demo:gw');
    const calls: DittoCommand[] = [];
    agent.handle('SoftwareUpdatable', async (c) => void calls.push(c), ['install', 'download']);
    const env = inbox('demo:gw', 'SoftwareUpdatable', 'install', { correlationId: 'x' });
    await send('command///req/r1/install', env);
    await send('c///q/r1/install', env);
    assert.equal(calls.length, 1, 'second form of the same command dropped');
    assert.equal(calls[0]!.operation, 'install');
    assert.equal(calls[0]!.correlationId, 'c-1');
    assert.deepEqual(calls[0]!.value, { correlationId: 'x' });
    const res = out('command///res/');
    assert.equal(res.length, 1);
    assert.equal(res[0]!.topic, 'command///res/r1/204');
    assert.equal(res[0]!.env['path'], '/features/SoftwareUpdatable/outbox/messages/install');
    assert.equal(res[0]!.env['status'], 204);
    assert.deepEqual(res[0]!.env['headers'], { 'correlation-id': 'c-1' });
  });

  it('hands the bus the handling of a command: a bus that waits for its handlers has the response once idle', async (t) => {
    const { agent, out, send } = await setup(t);
    agent.handle('Slow', async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); // work over several turns (I/O)
      return { status: 200, value: 'done' };
    });
    await send('command///req/s1/op', inbox('demo:gw', 'Slow', 'op', {}));
    assert.deepEqual(out('command///res/').map((r) => [r.topic, r.env['value']]), [['command///res/s1/200', 'done']]);
  });

  it('maps errors: InvalidArgument 400, NotFound 404, unknown operation of its feature 404, other 500; another feature: no answer', async (t) => {
    const { agent, out, send } = await setup(t);
    agent.handle('F', async (c) => {
      if (c.operation === 'bad') throw new InvalidArgumentError('LEDGE_TEST_BAD', 'value must be an object');
      if (c.operation === 'gone') throw new NotFoundError('LEDGE_TEST_GONE', 'no such thing');
      if (c.operation === 'boom') throw new Error('kaput');
      return { status: 200, value: 'id-1' };
    });
    agent.handle('G', async () => undefined, ['only']);
    await send('command///req/a/bad', inbox('demo:gw', 'F', 'bad', 1, 'a'));
    await send('command///req/b/gone', inbox('demo:gw', 'F', 'gone', 1, 'b'));
    await send('command///req/c/boom', inbox('demo:gw', 'F', 'boom', 1, 'c'));
    await send('command///req/d/ok', inbox('demo:gw', 'F', 'ok', 1, 'd'));
    await send('command///req/e/other', inbox('demo:gw', 'G', 'other', 1, 'e'));
    await send('command///req/f/x', inbox('demo:gw', 'Nope', 'x', 1, 'f'));
    const res = out('command///res/').map((r) => [r.topic, (r.env['value'] as { error?: string } | string | undefined)]);
    assert.deepEqual(
      res.map(([topic, v]) => [topic, typeof v === 'object' && v !== null ? v.error : v]),
      [
        ['command///res/a/400', 'messages:parameter.invalid'],
        ['command///res/b/404', 'messages:subject.notfound'],
        ['command///res/c/500', 'messages:execution.failed'],
        ['command///res/d/200', 'id-1'],
        ['command///res/e/404', 'messages:subject.notfound'],
      ],
      'f (feature Nope) is not this agent\'s to answer',
    );
    const boom = out('command///res/c/').at(0)!.env['value'] as { message: string };
    assert.equal(boom.message, 'kaput');
  });

  it('ignores other things and one-way commands get no response; garbage never crashes', async (t) => {
    const { agent, out, send } = await setup(t);
    let calls = 0;
    agent.handle('F', async () => void calls++);
    await send('command///req/a/op', inbox('demo:other', 'F', 'op', 1));
    await send('command///req//op', inbox('demo:gw', 'F', 'op', 1, 'oneway'));
    await send('command///req/z/op', '{not json');
    await send('command///req/y/op', '{"topic":"nonsense","path":"/x"}');
    await send('command///req/w/op', { ...inbox('demo:gw', 'F', 'op', 1, 'w'), path: '/features/F/properties/x' });
    assert.equal(calls, 1, 'only the one-way command for this thing');
    const res = out('command///res/');
    assert.deepEqual(res.map((r) => r.topic), ['command///res/w/400'], 'y names no feature of ours: nothing to answer');
  });

  it('an envelope that names its feature but is otherwise invalid gets a 400 with its correlation-id', async (t) => {
    const { agent, out, send } = await setup(t);
    agent.handle('F', async () => undefined);
    const { path: _path, ...noPath } = inbox('demo:gw', 'F', 'op', 1, 'np');
    await send('command///req/p/op', noPath);
    await send('command///req/q/op', { ...inbox('demo:gw', 'F', 'op', 1, 'bh'), headers: { 'correlation-id': 'bh', x: { nested: 1 } } });
    await send('command///req/r/op', { ...noPath, topic: 'demo/other/things/live/messages/op' });
    await send('command///req/s/op', { path: '/features/F/inbox/messages/op', value: 1 });
    await send('command///req/u/op', { ...inbox('demo:gw', 'Other', 'op', 1, 'bh2'), headers: { 'correlation-id': 'bh2', x: { nested: 1 } } });
    const res = out('command///res/');
    assert.deepEqual(res.map((r) => r.topic), ['command///res/q/400'], 'no path, another thing, no topic or another app\'s feature: not ours to answer');
    assert.equal((res[0]!.env['value'] as { error: string }).error, 'messages:parameter.invalid');
    assert.equal(res[0]!.env['path'], '/features/F/outbox/messages/op');
    assert.deepEqual(res[0]!.env['headers'], { 'correlation-id': 'bh', 'content-type': 'application/json' });
  });

  it('a payload refused before parsing (over maxPayloadBytes, broken JSON) still gets its 400 when its head names this thing', async (t) => {
    const { agent, out, send } = await setup(t);
    let calls = 0;
    agent.handle('F', async () => void calls++);
    const head = (thing: string, cid: string) => ({ topic: `${thing.replace(':', '/')}/things/live/messages/op`, headers: { 'correlation-id': cid, 'response-required': true }, path: '/features/F/inbox/messages/op' });
    await send('command///req/big/op', JSON.stringify({ ...head('demo:gw', 'big-1'), value: 'x'.repeat(1024 * 1024 + 1) }));
    await send('command///req/cut/op', JSON.stringify({ ...head('demo:gw', 'cut-1'), value: { a: [1, 2, 3] } }).slice(0, -8));
    await send('command///req/other/op', JSON.stringify({ ...head('demo:other', 'o-1'), value: 'x'.repeat(1024 * 1024 + 1) }));
    const res = out('command///res/');
    assert.equal(calls, 0);
    assert.deepEqual(res.map((r) => r.topic), ['command///res/big/400', 'command///res/cut/400'], 'another thing: nothing to address');
    assert.deepEqual(res.map((r) => (r.env['headers'] as Record<string, unknown>)['correlation-id']), ['big-1', 'cut-1']);
    assert.match((res[0]!.env['value'] as { message: string }).message, /exceeds 1048576 bytes/);
    assert.equal(res[0]!.env['path'], '/features/F/outbox/messages/op');
  });

  it("Kanto's dispatch rule: apps sharing a thing answer only their own features, so each command gets one answer", async (t) => {
    const bus = createFakeLocalBus();
    const agents = ['software-update', 'file-upload', 'third-party'].map((name) => {
      const client = bus.createClient({ clientId: name });
      const agent = createDittoAgent({ bus: client, thingSuffix: '' });
      t.after(async () => {
        await agent.close();
        await client.close();
      });
      return { client, agent };
    });
    for (const { client, agent } of agents) {
      await client.start();
      await agent.start();
    }
    agents[0]!.agent.handle('SoftwareUpdatable', async () => undefined, ['install']);
    agents[1]!.agent.handle('AutoUploadable', async () => ({ status: 200, value: 'ok' }));
    agents[2]!.agent.handle('Thermostat', async (c) => {
      if (c.operation === 'fail') throw new InvalidArgumentError('LEDGE_TEST_BAD', 'bad setpoint');
      return { status: 202 };
    });
    bus.inject('edge/thing/response', ID);
    await bus.flush();
    for (const { agent } of agents) await agent.ready();
    const send = async (reqId: string, feature: string, op: string) => {
      const env = inbox('demo:gw', feature, op, {}, `cid-${reqId}`);
      bus.inject(`command///req/${reqId}/${op}`, JSON.stringify(env));
      bus.inject(`c///q/${reqId}/${op}`, JSON.stringify(env));
      await bus.idle();
    };
    await send('1', 'SoftwareUpdatable', 'install');
    await send('2', 'SoftwareUpdatable', 'nope');
    await send('3', 'AutoUploadable', 'trigger');
    await send('4', 'Thermostat', 'set');
    await send('5', 'Thermostat', 'fail');
    await send('6', 'Unserved', 'op');
    bus.inject('command///req/7/op', JSON.stringify({ ...inbox('demo:gw', 'AutoUploadable', 'op', {}, 'cid-7'), path: '/features/AutoUploadable/properties/x' }));
    await bus.idle();
    const responses = bus.published.filter((p) => p.topic.startsWith('command///res/')).map((p) => `${p.clientId} ${p.topic}`);
    assert.deepEqual(responses.sort(), [
      'file-upload command///res/3/200',
      'file-upload command///res/7/400',
      'software-update command///res/1/204',
      'software-update command///res/2/404',
      'third-party command///res/4/202',
      'third-party command///res/5/400',
    ]);
  });

  it('serves the containers thing on its own device level and publishes events on event/<tenant>/<thing>', async (t) => {
    const { agent, thingId, out, send, bus } = await setup(t, ':edge:containers');
    assert.equal(thingId, 'demo:gw:edge:containers');
    agent.handle((f) => f.startsWith('Container:'), async (c) => ({ status: 200, value: c.featureId }));
    await send('c//demo:gw:edge:containers/q/r9/start', inbox('demo:gw:edge:containers', 'Container:abc', 'start', {}));
    assert.equal(out('command//demo:gw:edge:containers/res/r9/200').length, 1);
    await send('command///req/r10/start', inbox('demo:gw:edge:containers', 'Container:abc', 'start', {}, 'other'));
    assert.equal(out('command///res/').length, 0, 'gateway-level commands are not for this thing');
    await agent.modify('/features/Container:abc/properties/status/state', { status: 'RUNNING' });
    await agent.message('Metrics', 'data', { timestamp: 1 });
    await agent.delete('/features/Container:abc');
    await agent.message('AutoUploadable', 'request', {}, { 'reply-to': 'command/demo', 'response-required': true });
    await bus.flush();
    const ev = out('event/');
    assert.deepEqual(ev.map((e) => e.topic), Array(4).fill('event/demo/demo:gw:edge:containers'));
    assert.deepEqual(ev[1]!.env['headers'], { 'response-required': false, 'content-type': 'application/json' });
    assert.deepEqual(ev[3]!.env['headers'], { 'response-required': true, 'content-type': 'application/json', 'reply-to': 'command/demo' }, 'extra headers add to and override the defaults');
    assert.equal(ev[0]!.env['topic'], 'demo/gw:edge:containers/things/twin/commands/modify');
    assert.equal(ev[1]!.env['topic'], 'demo/gw:edge:containers/things/live/messages/data');
    assert.equal(ev[1]!.env['path'], '/features/Metrics/outbox/messages/data');
    assert.equal(ev[2]!.env['topic'], 'demo/gw:edge:containers/things/twin/commands/delete');
  });

  it('re-binds when the identity changes and tells onThing listeners', async (t) => {
    const { agent, bus, out, send } = await setup(t);
    const seen: string[] = [];
    agent.onThing((id) => void seen.push(id));
    agent.handle('F', async () => undefined);
    bus.inject('edge/thing/response', '{"deviceId":"demo:gw2","tenantId":"demo"}');
    await bus.idle();
    assert.deepEqual(seen, ['demo:gw2']);
    assert.equal(agent.thingId, 'demo:gw2');
    await send('command///req/a/op', inbox('demo:gw', 'F', 'op', 1, 'old'));
    await send('command///req/b/op', inbox('demo:gw2', 'F', 'op', 1, 'new'));
    assert.deepEqual(out('command///res/').map((r) => r.topic), ['command///res/b/204']);
    await agent.modify('/features/F', { properties: {} });
    await bus.flush();
    assert.equal(out('event').at(-1)!.env['topic'], 'demo/gw2/things/twin/commands/modify');
  });

  it('refuses modify before the identity is known and after close', async (t) => {
    const bus = createFakeLocalBus();
    const client = bus.createClient({ clientId: 'x' });
    await client.start();
    const agent = createDittoAgent({ bus: client, thingSuffix: '' });
    t.after(() => client.close());
    await assert.rejects(agent.modify('/features/F', {}), /no thing identity/);
    await agent.close();
    await assert.rejects(agent.ready(), /closed/);
  });
});
