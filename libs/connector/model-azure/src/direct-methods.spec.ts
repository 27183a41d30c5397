// Direct methods through the Azure protocol: `$iothub/methods/POST/<method>/?$rid=<rid>` → a local
// live-message command with request ID `azure-method-<rid>`; its answer → `$iothub/methods/res/<status>/?$rid=<rid>`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext } from '@ledge/connector/model-connector';
import { createAzureProtocol, type AzureProtocolOptions } from './azure-protocol';

const ctx: DeviceContext = { deviceId: 'demo:device', tenantId: 'defaultTenant', now: () => 0 };
const msg = (topic: string, payload: string | object): BusMessage => ({ topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos: 1 });
const method = (name: string, rid: string, payload: string | object) => msg(`$iothub/methods/POST/${name}/?$rid=${rid}`, payload);

describe('Azure direct methods → local commands', () => {
  it('<FeatureId>.<subject> becomes a live message to the gateway\'s feature, correlated by the $rid', () => {
    const r = createAzureProtocol().toLocal(method('meter.reset', '7', { to: 0 }), ctx);
    assert.ok(r.ok, r.ok ? '' : r.drop);
    assert.deepEqual(r.messages.map((m) => [m.topic, m.qos]), [
      ['command//demo:device/req/azure-method-7/reset', 1],
      ['c//demo:device/q/azure-method-7/reset', 1],
    ]);
    assert.ok(r.messages[0]!.payload.equals(r.messages[1]!.payload));
    assert.deepEqual(JSON.parse(r.messages[0]!.payload.toString()), {
      topic: 'demo/device/things/live/messages/reset',
      headers: { 'correlation-id': 'azure-method-7', 'response-required': true, 'content-type': 'application/json', timeout: '300s' },
      path: '/features/meter/inbox/messages/reset',
      value: { to: 0 },
    });
  });

  const table: [name: string, m: BusMessage, topics: string[], value?: unknown, options?: Partial<AzureProtocolOptions>][] = [
    ['split at the last dot: feature IDs may contain dots', method('com.acme.Meter.reset', '1', '5'), ['command//demo:device/req/azure-method-1/reset', 'c//demo:device/q/azure-method-1/reset'], 5],
    ['empty payload → null value', method('meter.reset', '1', ''), ['command//demo:device/req/azure-method-1/reset', 'c//demo:device/q/azure-method-1/reset'], null],
    ['gateway on the empty device level when asked', method('meter.reset', '1', 'null'), ['command///req/azure-method-1/reset', 'c///q/azure-method-1/reset'], null, { gatewayCommandDevice: 'empty' }],
    ['no timeout header when methodTimeout is empty', method('meter.reset', '1', '{}'), ['command//demo:device/req/azure-method-1/reset', 'c//demo:device/q/azure-method-1/reset'], {}, { methodTimeout: '' }],
  ];
  for (const [name, m, topics, value, options] of table) {
    it(name, () => {
      const r = createAzureProtocol(options).toLocal(m, ctx);
      assert.ok(r.ok, r.ok ? '' : r.drop);
      assert.deepEqual(r.messages.map((x) => x.topic), topics);
      const env = JSON.parse(r.messages[0]!.payload.toString()) as { value: unknown; headers: Record<string, unknown> };
      assert.deepEqual(env.value, value);
      assert.equal('timeout' in env.headers, options?.methodTimeout !== '');
    });
  }

  it('a Ditto envelope as payload is the command itself, for the gateway or a child; a missing correlation-id is added', () => {
    const envelope = { topic: 'demo/device:edge:containers/things/live/messages/create', headers: { 'response-required': true }, path: '/features/ContainerFactory/inbox/messages/create', value: { imageRef: 'x' } };
    const r = createAzureProtocol().toLocal(method('anything', 'r9', envelope), ctx);
    assert.ok(r.ok, r.ok ? '' : r.drop);
    assert.deepEqual(r.messages.map((m) => m.topic), ['command//demo:device:edge:containers/req/azure-method-r9/create', 'c//demo:device:edge:containers/q/azure-method-r9/create']);
    assert.deepEqual(JSON.parse(r.messages[0]!.payload.toString()), { ...envelope, headers: { 'response-required': true, 'correlation-id': 'azure-method-r9' } });

    const own = { ...envelope, topic: 'demo/device/things/twin/commands/retrieve', path: '/', headers: { 'correlation-id': 'mine' } };
    const r2 = createAzureProtocol().toLocal(method('x', '1', own), ctx);
    assert.ok(r2.ok);
    assert.equal(r2.messages[0]!.topic, 'command//demo:device/req/azure-method-1/retrieve');
    assert.equal((JSON.parse(r2.messages[0]!.payload.toString()) as { headers: object }).headers['correlation-id' as keyof object], 'mine');
  });

  const drops: [name: string, m: BusMessage, re: RegExp][] = [
    ['a name without a dot', method('reboot', '1', '{}'), /not <FeatureId>\.<subject>/],
    ['an empty subject', method('meter.', '1', '{}'), /not <FeatureId>\.<subject>/],
    ['an empty feature', method('.reset', '1', '{}'), /not <FeatureId>\.<subject>/],
    ['a subject with a wildcard', method('meter.a+b', '1', '{}'), /wildcard|not valid|\+/],
    ['a payload that is not JSON', method('meter.reset', '1', '{oops'), /payload is not JSON/],
    ['an envelope for another thing', method('x', '1', { topic: 'other/thing/things/live/messages/x', path: '/features/f/inbox/messages/x' }), /not addressed to "demo:device"/],
    ['a broken envelope', method('x', '1', { topic: 'demo/device/things/nope/x', path: '/x' }), /envelope topic/],
    ['no $rid', msg('$iothub/methods/POST/meter.reset/', '{}'), /no usable \$rid/],
  ];
  for (const [name, m, re] of drops) {
    it(`drops ${name} with a reason (IoT Hub then times the method out)`, () => {
      const r = createAzureProtocol().toLocal(m, ctx);
      assert.match(r.ok ? 'ok' : r.drop, re);
    });
  }
});

describe('Azure direct methods: local answers → method responses', () => {
  const answer = (status: number, value?: unknown) =>
    JSON.stringify({ topic: 'demo/device/things/live/messages/reset', headers: { 'correlation-id': 'azure-method-7' }, path: '/features/meter/outbox/messages/reset', status, ...(value === undefined ? {} : { value }) });
  const table: [name: string, topic: string, payload: string, expected: [string, string]][] = [
    ['the envelope value is the response body', 'command///res/azure-method-7/200', answer(200, { done: true }), ['$iothub/methods/res/200/?$rid=7', '{"done":true}']],
    ['short form, child device', 'c//demo:device:edge:containers/s/azure-method-7/200', answer(200, 'ok'), ['$iothub/methods/res/200/?$rid=7', '"ok"']],
    ['no value → null', 'command//demo:device/res/azure-method-7/204', answer(204), ['$iothub/methods/res/204/?$rid=7', 'null']],
    ['a Ditto error value as is', 'command///res/azure-method-7/404', answer(404, { status: 404, error: 'messages:subject.notfound', message: 'no' }), ['$iothub/methods/res/404/?$rid=7', '{"status":404,"error":"messages:subject.notfound","message":"no"}']],
    ['a plain JSON answer goes as it is', 'command///res/azure-method-7/200', '[1,2]', ['$iothub/methods/res/200/?$rid=7', '[1,2]']],
  ];
  for (const [name, topic, payload, expected] of table) {
    it(name, () => {
      const r = createAzureProtocol().toCloud(msg(topic, payload), ctx);
      assert.ok(r.ok, r.ok ? '' : r.drop);
      assert.deepEqual(r.messages.map((m) => [m.topic, m.payload.toString()]), [expected]);
    });
  }

  it('answers that are not JSON are dropped; other request IDs stay D2C messages', () => {
    const p = createAzureProtocol();
    const bad = p.toCloud(msg('command///res/azure-method-7/200', 'not json'), ctx);
    assert.match(bad.ok ? 'ok' : bad.drop, /neither a Ditto envelope nor JSON/);
    for (const topic of ['command///res/corr-1/200', 'command///res/azure-method-a%2Fb/200']) {
      const r = p.toCloud(msg(topic, answer(200)), ctx);
      assert.ok(r.ok && r.messages.length === 1 && r.messages[0]!.topic.startsWith('devices/demo:device/messages/events/'));
    }
  });

  it('an answer over IoT Hub\'s 128 KiB method payload limit is dropped', () => {
    const r = createAzureProtocol().toCloud(msg('command///res/azure-method-7/200', answer(200, 'x'.repeat(130 * 1024))), ctx);
    assert.match(r.ok ? 'ok' : r.drop, /exceeds IoT Hub's 131072-byte limit/);
  });
});
