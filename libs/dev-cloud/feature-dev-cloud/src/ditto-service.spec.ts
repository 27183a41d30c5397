// The Ditto side over a real HTTP server (port 0) and an in-memory DeviceLink replaying what Ledge's gateway
// publishes; requests shaped like the curl examples of Ditto's HTTP API docs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { DeviceCommand, DeviceLink, DeviceMessage } from '@ledge/dev-cloud/model-dev-cloud';
import { captureLogger, createFakeTime, createTempDir, waitFor } from '@ledge/shared/util/testing';
import { createDittoService, type DittoServiceOptions } from './ditto-service';

function fakeLink() {
  const listeners = new Set<(m: DeviceMessage) => void>();
  const commands: DeviceCommand[] = [];
  const link: DeviceLink & { takes: boolean } = {
    takes: true,
    onMessage(l: (m: DeviceMessage) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onConnection: () => () => {},
    connected: () => [],
    async sendCommand(c: DeviceCommand) {
      commands.push(c);
      return link.takes;
    },
  };
  const device = { tenant: 'ledge-dev', deviceId: 'demo:gw' };
  const publish = (payload: unknown, kind: DeviceMessage['kind'] = 'event', extra: Partial<DeviceMessage> = {}) => {
    for (const l of listeners) l({ device, via: device, kind, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), ...extra });
  };
  return { link, commands, publish };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: () => unknown;
}

/** The service on fake time: its timers (store write delay, keep-alives, message timeouts) fire only on `time.advance`. */
async function serve(t: TestContext, opts: Partial<DittoServiceOptions> = {}, dataDir = createTempDir(t, 'ledge-ditto-')) {
  const dev = fakeLink();
  const captured = captureLogger();
  const time = createFakeTime();
  const ditto = createDittoService({ link: dev.link, dataDir, tenant: 'ledge-dev', logger: captured.logger, clock: time.clock, scheduler: time.scheduler, newId: (() => { let n = 0; return () => `id-${++n}`; })(), ...opts });
  await ditto.start();
  const srv = createServer((req, res) => {
    void ditto.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  t.after(async () => {
    await ditto.close();
    await new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r())));
  });
  const call = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  /** An open SSE stream; `text` grows as events arrive. */
  const stream = async (path: string, headers: Record<string, string> = {}) => {
    const s = { text: '', status: 0, headers: {} as IncomingMessage['headers'], ended: false };
    const req = request(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      s.status = res.statusCode ?? 0;
      s.headers = res.headers;
      res.on('data', (c: Buffer) => (s.text += c.toString()));
      res.on('end', () => (s.ended = true));
    });
    req.on('error', () => {});
    req.end();
    t.after(() => req.destroy());
    await waitFor(() => s.status, 5000, 'SSE headers');
    return s;
  };
  return { ...dev, ditto, call, stream, dataDir, time, lines: captured.lines };
}

// What Ledge's gateway publishes (Ditto protocol over Hono events).
const SU = {
  definition: ['org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0'],
  properties: { status: { softwareModuleType: 'demo-module', lastOperation: { status: 'IDLE' } } },
};
const modifySU = { topic: 'demo/gw/things/twin/commands/modify', headers: { 'response-required': false }, path: '/features/SoftwareUpdatable', value: SU };
const mergeStatus = { topic: 'demo/gw/things/twin/commands/merge', headers: { 'response-required': false, 'content-type': 'application/merge-patch+json' }, path: '/features/SoftwareUpdatable/properties/status', value: { lastOperation: { status: 'FINISHED_SUCCESS' } } };
const deleteFeature = { topic: 'demo/gw/things/twin/commands/delete', headers: { 'response-required': false }, path: '/features/SoftwareUpdatable' };

describe('Ditto service: twins from the gateway, read over HTTP', () => {
  it('a Feature modify, a properties merge, a Feature delete → GETs as Ditto answers them', async (t) => {
    const s = await serve(t);
    assert.equal((await s.call('GET', '/api/2/things/demo:gw')).status, 404);
    s.publish(modifySU);
    s.publish(mergeStatus, 'telemetry');
    const thing = await s.call('GET', '/api/2/things/demo:gw');
    assert.equal(thing.status, 200);
    assert.equal(thing.headers['content-type'], 'application/json');
    assert.deepEqual(thing.json(), { thingId: 'demo:gw', features: { SoftwareUpdatable: { ...SU, properties: { status: { softwareModuleType: 'demo-module', lastOperation: { status: 'FINISHED_SUCCESS' } } } } } });
    assert.deepEqual((await s.call('GET', '/api/2/things/demo%3Agw/features/SoftwareUpdatable/properties/status/lastOperation')).json(), { status: 'FINISHED_SUCCESS' });
    assert.deepEqual((await s.call('GET', '/api/2/things/demo:gw/features/SoftwareUpdatable/definition')).json(), SU.definition);
    assert.deepEqual((await s.call('GET', '/api/2/things?ids=demo:gw,demo:nope&fields=thingId,_revision')).json(), [{ thingId: 'demo:gw', _revision: 2 }]);
    assert.deepEqual((await s.call('GET', '/api/2/things')).json(), [thing.json()]);
    s.publish(deleteFeature);
    const gone = await s.call('GET', '/api/2/things/demo:gw/features/SoftwareUpdatable');
    assert.equal(gone.status, 404);
    assert.equal((gone.json() as { error: string }).error, 'things:feature.notfound');
  });

  it("a device's twin retrieve (the local twins' sync) is answered with a one-way command carrying the response; a missing thing gets Ditto's error; no answer when none is required", async (t) => {
    const s = await serve(t);
    const retrieve = (path: string, headers: Record<string, unknown> = {}, topic = 'demo/gw/things/twin/commands/retrieve') => ({ topic, headers: { 'correlation-id': 'sync-1', 'reply-to': 'command/ledge-dev', ...headers }, path });
    s.publish(modifySU);
    s.publish(retrieve('/'));
    await waitFor(() => s.commands.length === 1, 5000, 'the answer');
    const c = s.commands[0]!;
    assert.deepEqual([c.device, c.requestId, c.subject], [{ tenant: 'ledge-dev', deviceId: 'demo:gw' }, '', 'retrieve']);
    assert.deepEqual(JSON.parse(c.payload.toString()), {
      topic: 'demo/gw/things/twin/commands/retrieve',
      headers: { 'correlation-id': 'sync-1', 'content-type': 'application/json' },
      path: '/',
      value: { thingId: 'demo:gw', features: { SoftwareUpdatable: SU } },
      status: 200,
    });
    s.publish(retrieve('/', {}, 'demo/nope/things/twin/commands/retrieve'));
    await waitFor(() => s.commands.length === 2, 5000, 'the error answer');
    const error = JSON.parse(s.commands[1]!.payload.toString()) as { topic: string; status: number; value: { error: string } };
    assert.deepEqual([error.topic, error.status, error.value.error], ['demo/nope/things/twin/errors', 404, 'things:thing.notfound']);
    s.publish(retrieve('/', { 'response-required': false }));
    s.publish(modifySU); // a later message: the retrieve before it has been handled when this one is
    assert.equal((await s.call('GET', '/api/2/things/demo:gw')).status, 200);
    assert.equal(s.commands.length, 2, 'no answer to a retrieve that asks for none');
  });

  const notFound: [string, string][] = [
    ['/api/2/things/demo:nope', 'things:thing.notfound'],
    ['/api/2/things/demo:gw/attributes', 'things:attributes.notfound'],
    ['/api/2/things/demo:gw/attributes/location', 'things:attribute.notfound'],
    ['/api/2/things/demo:gw/definition', 'things:definition.notfound'],
    ['/api/2/things/demo:gw/features/Nope', 'things:feature.notfound'],
    ['/api/2/things/demo:gw/features/SoftwareUpdatable/properties/nope', 'things:feature.property.notfound'],
    ['/api/2/things/demo:gw/features/SoftwareUpdatable/desiredProperties', 'things:feature.desiredProperties.notfound'],
  ];
  it('404 with Ditto\'s error JSON for each missing level', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    for (const [path, error] of notFound) {
      const r = await s.call('GET', path);
      assert.equal(r.status, 404, path);
      const body = r.json() as Record<string, unknown>;
      assert.equal(body['status'], 404);
      assert.equal(body['error'], error, path);
      assert.equal(typeof body['message'], 'string');
      assert.equal(typeof body['description'], 'string');
    }
    assert.equal((await s.call('GET', '/api/2/things/no-namespace')).status, 400);
    assert.equal((await s.call('GET', '/api/2/things/demo:gw/%E0%A4%A')).status, 400);
    assert.equal((await s.call('GET', '/api/2/policies/x')).status, 404);
    assert.equal((await s.call('DELETE', '/api/2/things/demo:gw')).status, 405);
    assert.equal((await s.call('GET', '/other')).status, 418, 'not ours: handle returns false');
  });

  it('refused and garbage device messages change nothing and crash nothing', async (t) => {
    const s = await serve(t);
    s.publish('not json');
    s.publish({ topic: 'demo/gw/things/twin/commands/modify', path: '/features/X/properties/a', value: 1 });
    s.publish({ topic: 'demo/gw/things/twin/commands/modify', path: '/nope', value: 1 });
    s.publish(Buffer.from([0xff, 0xfe]).toString('latin1'));
    assert.deepEqual((await s.call('GET', '/api/2/things')).json(), []);
    assert.ok(s.lines.some((l) => l['msg'] === 'twin command refused' && l['error'] === 'things:feature.notfound'), 'the refusal is logged');
  });
});

describe('Ditto service: Server-Sent Events', () => {
  it('streams each change as data:<Thing fragment> and a blank line, filtered by ids, with keep-alive comments', async (t) => {
    const s = await serve(t, { keepAliveMs: 5000 });
    const all = await s.stream('/api/2/things');
    const other = await s.stream('/api/2/things?ids=demo:other');
    const extra = await s.stream('/api/2/things?extraFields=attributes');
    assert.equal(all.headers['content-type'], 'text/event-stream');
    s.publish({ ...modifySU, topic: 'demo/gw/things/twin/commands/create', path: '/', value: { attributes: { site: 'lab' } } });
    s.publish(modifySU);
    s.publish(mergeStatus);
    s.publish(deleteFeature);
    await waitFor(() => all.text.split('\n\n').length > 4, 5000, 'four events');
    const events = all.text.split('\n\n').filter((e) => e !== '');
    for (const e of events) assert.match(e, /^data:\{.*\}$/);
    assert.deepEqual(events.map((e) => JSON.parse(e.slice('data:'.length))), [
      { thingId: 'demo:gw', attributes: { site: 'lab' } },
      { thingId: 'demo:gw', features: { SoftwareUpdatable: SU } },
      { thingId: 'demo:gw', features: { SoftwareUpdatable: { properties: { status: { lastOperation: { status: 'FINISHED_SUCCESS' } } } } } },
      { thingId: 'demo:gw', features: { SoftwareUpdatable: null } },
    ]);
    await waitFor(() => extra.text.includes('SoftwareUpdatable":null'));
    assert.match(extra.text, /^data:\{"thingId":"demo:gw","attributes":\{"site":"lab"\}\}\n\n/);
    assert.match(extra.text, /data:\{"thingId":"demo:gw","attributes":\{"site":"lab"\},"features":\{"SoftwareUpdatable":null\}\}\n\n$/);
    await s.time.advance(5000);
    await waitFor(() => all.text.endsWith(':keep-alive\n\n') && other.text === ':keep-alive\n\n', 5000, 'keep-alive');
    await s.ditto.close();
    await waitFor(() => all.ended && other.ended, 5000, 'streams ended on close');
  });

  it('a merge for a Thing the store lacks creates it with the patch (Ditto merge: missing levels appear)', async (t) => {
    const s = await serve(t);
    s.publish(mergeStatus);
    assert.deepEqual((await s.call('GET', '/api/2/things/demo:gw')).json(), { thingId: 'demo:gw', features: { SoftwareUpdatable: { properties: { status: { lastOperation: { status: 'FINISHED_SUCCESS' } } } } } });
  });

  it('live messages from a Feature\'s outbox stream on its outbox messages path', async (t) => {
    const s = await serve(t);
    const feedback = await s.stream('/api/2/things/demo:gw/features/SoftwareUpdatable/outbox/messages/feedback');
    const any = await s.stream('/api/2/things/demo:gw/features/SoftwareUpdatable/outbox/messages');
    s.publish({ topic: 'demo/gw/things/live/messages/request', headers: { 'content-type': 'application/json' }, path: '/features/SoftwareUpdatable/outbox/messages/request', value: { a: 1 } });
    s.publish({ topic: 'demo/gw/things/live/messages/feedback', headers: { 'content-type': 'application/json' }, path: '/features/SoftwareUpdatable/outbox/messages/feedback', value: { status: 'RUNNING' } });
    await waitFor(() => feedback.text && any.text.split('\n\n').length === 3);
    assert.equal(feedback.text, 'data:{"status":"RUNNING"}\n\n');
    assert.equal(any.text, 'data:{"a":1}\n\ndata:{"status":"RUNNING"}\n\n');
  });
});

describe('Ditto service: messages to a device', () => {
  it('POST to a Feature inbox → a live message command; the device response is the HTTP answer', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    const answer = s.call('POST', '/api/2/things/demo:gw/features/SoftwareUpdatable/inbox/messages/install?timeout=30', JSON.stringify({ correlationId: 'c1', softwareModules: [] }), { 'content-type': 'application/json', 'correlation-id': 'corr-1' });
    await waitFor(() => s.commands.length === 1);
    const cmd = s.commands[0]!;
    assert.deepEqual([cmd.device, cmd.requestId, cmd.subject], [{ tenant: 'ledge-dev', deviceId: 'demo:gw' }, 'id-1', 'install']);
    assert.deepEqual(JSON.parse(cmd.payload.toString()), {
      topic: 'demo/gw/things/live/messages/install',
      headers: { 'correlation-id': 'corr-1', 'response-required': true, timeout: '30', 'content-type': 'application/json' },
      path: '/features/SoftwareUpdatable/inbox/messages/install',
      value: { correlationId: 'c1', softwareModules: [] },
    });
    s.publish({ topic: 'demo/gw/things/live/messages/install', headers: { 'correlation-id': 'corr-1', 'content-type': 'application/json' }, path: '/features/SoftwareUpdatable/outbox/messages/install', value: { accepted: true }, status: 200 }, 'command-response', { requestId: 'id-1', status: 200 });
    const r = await answer;
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.json(), { accepted: true });
  });

  it('a text message to the Thing inbox (Ditto\'s smartcoffee example): a new correlation-id, a text answer', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    const answer = s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask', 'Hey, how are you?', { 'content-type': 'text/plain' });
    await waitFor(() => s.commands.length === 1);
    const sent = JSON.parse(s.commands[0]!.payload.toString()) as { path: string; value: unknown; headers: Record<string, unknown> };
    assert.deepEqual([sent.path, sent.value, sent.headers['correlation-id'], sent.headers['timeout']], ['/inbox/messages/ask', 'Hey, how are you?', 'id-1', '10']);
    s.publish({ topic: 'demo/gw/things/live/messages/ask', headers: { 'content-type': 'text/plain' }, path: '/outbox/messages/ask', value: 'I do not know, since i am only a coffee machine.', status: 200 }, 'command-response', { requestId: 'id-2', status: 200 });
    const r = await answer;
    assert.deepEqual([r.status, r.headers['content-type'], r.text], [200, 'text/plain', 'I do not know, since i am only a coffee machine.']);
  });

  it('timeout=0 → 202 at once, one-way (no request ID, response-required false)', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    const r = await s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask.question?timeout=0', 'Hey', { 'content-type': 'text/plain' });
    assert.deepEqual([r.status, r.text], [202, '']);
    assert.equal(s.commands[0]!.requestId, '');
    assert.equal((JSON.parse(s.commands[0]!.payload.toString()) as { headers: Record<string, unknown> }).headers['response-required'], false);
  });

  it('no response in time → 408 messages:message.timeout; a late response is dropped', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    const answer = s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask?timeout=2', '{}', { 'content-type': 'application/json' });
    await waitFor(() => s.commands.length === 1); // the timeout is armed before the command is handed over
    await s.time.advance(1999);
    assert.equal(s.time.pending(), 1, 'the 2 s timeout is still pending (the store write has fired)');
    await s.time.advance(1);
    const r = await answer;
    assert.equal(r.status, 408);
    assert.deepEqual(r.json(), { status: 408, error: 'messages:message.timeout', message: 'The Message reached the specified timeout of 2 seconds.', description: 'Try increasing the Message timeout or ensure that the recipient of the Message responds in time.' });
    s.publish({ topic: 'demo/gw/things/live/messages/ask', headers: {}, path: '/outbox/messages/ask', status: 200 }, 'command-response', { requestId: 'id-2', status: 200 });
  });

  it('no device takes it: 408 for a known Thing, 404 for an unknown one; bad timeouts 400', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    s.link.takes = false;
    const known = await s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask', 'x', { 'content-type': 'text/plain' });
    assert.equal(known.status, 408);
    const unknown = await s.call('POST', '/api/2/things/demo:nope/inbox/messages/ask', 'x', { 'content-type': 'text/plain' });
    assert.deepEqual([unknown.status, (unknown.json() as { error: string }).error], [404, 'things:thing.notfound']);
    for (const bad of ['61', '-1', 'soon', '2h']) {
      const r = await s.call('POST', `/api/2/things/demo:gw/inbox/messages/ask?timeout=${bad}`, 'x');
      assert.deepEqual([r.status, (r.json() as { error: string }).error], [400, 'timeout.invalid'], bad);
    }
  });

  it('oversized bodies 413, bad JSON 400, an empty subject 400; the server keeps serving', async (t) => {
    const s = await serve(t, { maxBodyBytes: 1024 });
    s.publish(modifySU);
    const big = await s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask', Buffer.alloc(2048, 'a'), { 'content-type': 'text/plain' });
    assert.equal(big.status, 413);
    const bad = await s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask', '{"a":', { 'content-type': 'application/json' });
    assert.deepEqual([bad.status, (bad.json() as { error: string }).error], [400, 'json.invalid']);
    assert.equal((await s.call('POST', '/api/2/things/demo:gw/inbox/messages', 'x')).status, 400);
    assert.equal(s.commands.length, 0);
    assert.equal((await s.call('GET', '/api/2/things/demo:gw')).status, 200);
  });

  it('close answers waiting requests 503', async (t) => {
    const s = await serve(t);
    s.publish(modifySU);
    const answer = s.call('POST', '/api/2/things/demo:gw/inbox/messages/ask', 'x', { 'content-type': 'text/plain' });
    await waitFor(() => s.commands.length === 1);
    await s.ditto.close();
    await s.ditto.close();
    assert.equal((await answer).status, 503);
  });
});

describe('Ditto service: store file and auth', () => {
  it('persists across a restart', async (t) => {
    const dataDir = createTempDir(t, 'ledge-ditto-');
    const first = await serve(t, {}, dataDir);
    first.publish(modifySU);
    first.publish(mergeStatus);
    await first.ditto.close();
    assert.ok(JSON.parse(readFileSync(join(dataDir, 'things.json'), 'utf8')).things['demo:gw'], 'the Thing is in the file');
    const second = await serve(t, {}, dataDir);
    const r = await second.call('GET', '/api/2/things/demo:gw?fields=thingId,_revision,features/SoftwareUpdatable/properties/status/lastOperation');
    assert.deepEqual(r.json(), { thingId: 'demo:gw', _revision: 2, features: { SoftwareUpdatable: { properties: { status: { lastOperation: { status: 'FINISHED_SUCCESS' } } } } } });
  });

  it('a burst of changes is written once, after the delay', async (t) => {
    const s = await serve(t, { writeDelayMs: 200 });
    for (let i = 0; i < 50; i++) s.publish({ ...modifySU, path: '/attributes/n', value: i });
    assert.equal(s.time.pending(), 1, 'one write timer for the burst');
    await s.time.advance(200);
    await waitFor(() => {
      try {
        return JSON.parse(readFileSync(join(s.dataDir, 'things.json'), 'utf8')).things['demo:gw'].attributes.n === 49;
      } catch {
        return false;
      }
    });
  });

  it('a corrupt store file is moved aside and logged; the service starts empty', async (t) => {
    const dataDir = createTempDir(t, 'ledge-ditto-');
    writeFileSync(join(dataDir, 'things.json'), '{"version":1,"things":');
    const s = await serve(t, {}, dataDir);
    assert.deepEqual((await s.call('GET', '/api/2/things')).json(), []);
    assert.ok(readdirSync(dataDir).some((f) => f.startsWith('things.json.corrupt-')), 'moved aside');
    assert.ok(s.lines.some((l) => l['level'] === 'warn' && typeof l['movedTo'] === 'string'), 'logged with where it went');
  });

  it('basic auth: 401 with WWW-Authenticate when missing or wrong', async (t) => {
    const s = await serve(t, { auth: { username: 'ditto', password: 'ditto' } });
    const none = await s.call('GET', '/api/2/things');
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm=/);
    const wrong = await s.call('GET', '/api/2/things', undefined, { authorization: `Basic ${Buffer.from('ditto:nope').toString('base64')}` });
    assert.equal(wrong.status, 401);
    const right = await s.call('GET', '/api/2/things', undefined, { authorization: 'Basic ZGl0dG86ZGl0dG8=' });
    assert.equal(right.status, 200);
  });
});
