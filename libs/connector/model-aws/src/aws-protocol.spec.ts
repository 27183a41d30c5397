// Table-driven mapping tests for the AWS IoT Core protocol (§2.2); the first cases are Kanto's own unit
// test examples, verbatim.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext, Mapped } from '@ledge/connector/model-connector';
import { cloudProtocolContract } from '@ledge/connector/model-connector/testing';
import { twinCommand } from '@ledge/connector/model-twins/testing';
import { createAwsProtocol, withTimestamp, type AwsProtocolOptions } from './aws-protocol';
import { AwsErrorCodes } from './errors';

const ctx: DeviceContext = { deviceId: 'test:device', tenantId: 'test-tenant', now: () => 1_700_000_000_123 };
const env = (topic: string, path: string, value?: unknown, extra: object = {}) =>
  JSON.stringify({ topic, headers: { 'response-required': false }, path, ...(value === undefined ? {} : { value }), ...extra });
const twin = (action: string, path: string, value?: unknown, thing = 'test:device') => JSON.stringify(twinCommand(thing, action, path, value));
const local = (payload: string, topic = 'e'): BusMessage => ({ topic, payload: Buffer.from(payload), qos: 1 });
const out = (r: Mapped) => {
  assert.ok(r.ok, r.ok ? '' : r.drop);
  return r.messages.map((m) => [m.topic, m.payload.length === 0 ? '' : JSON.parse(m.payload.toString())] as const);
};
const S = '$aws/things/test:device/shadow';
const reported = (r: unknown) => ({ state: { reported: r } });

interface Case {
  name: string;
  payload: string;
  options?: Partial<AwsProtocolOptions>;
  expect: (readonly [string, unknown])[] | string;
}

const cases: Case[] = [
  { name: 'Kanto: modify /features/test → named shadow', payload: twin('modify', '/features/test', { properties: { status: 200 } }), expect: [[`${S}/name/test/update`, reported({ status: 200 })]] },
  { name: 'Kanto: modify /attributes/test → classic shadow', payload: twin('modify', '/attributes/test', 200), expect: [[`${S}/update`, reported({ test: 200 })]] },
  { name: 'feature with definition', payload: twin('modify', '/features/f', { definition: ['a:b:1'], properties: { x: 1 } }), expect: [[`${S}/name/f/update`, reported({ x: 1, definition: ['a:b:1'] })]] },
  { name: 'property path is re-nested', payload: twin('modify', '/features/f/properties/a/b', 1), expect: [[`${S}/name/f/update`, reported({ a: { b: 1 } })]] },
  { name: 'whole thing → one message per part', payload: twin('create', '/', { attributes: { x: 1 }, features: { f: { properties: { a: 1 } }, g: { properties: { b: 2 } } } }),
    expect: [[`${S}/update`, reported({ x: 1 })], [`${S}/name/f/update`, reported({ a: 1 })], [`${S}/name/g/update`, reported({ b: 2 })]] },
  { name: 'merge is sent as is', payload: twin('merge', '/features/f/properties', { a: 1 }), expect: [[`${S}/name/f/update`, reported({ a: 1 })]] },
  { name: 'child attributes → named shadow edge:containers', payload: twin('modify', '/attributes', { a: 1 }, 'test:device:edge:containers'), expect: [[`${S}/name/edge:containers/update`, reported({ a: 1 })]] },
  { name: 'child feature → named shadow edge:containers:F', payload: twin('modify', '/features/ContainerFactory', { properties: { p: 1 } }, 'test:device:edge:containers'),
    expect: [[`${S}/name/edge:containers:ContainerFactory/update`, reported({ p: 1 })]] },
  { name: 'delete feature → delete shadow, empty payload', payload: twin('delete', '/features/f'), expect: [[`${S}/name/f/delete`, '']] },
  { name: 'delete attributes → delete classic shadow', payload: twin('delete', '/attributes'), expect: [[`${S}/delete`, '']] },
  { name: 'a feature with an empty ID has no shadow', payload: twin('modify', '/features', { '': { properties: { a: 1 } } }), expect: 'empty feature ID' },
  { name: 'delete child feature', payload: twin('delete', '/features/F', undefined, 'test:device:edge:containers'), expect: [[`${S}/name/edge:containers:F/delete`, '']] },
  { name: 'delete one property → null', payload: twin('delete', '/features/f/properties/a'), expect: [[`${S}/name/f/update`, reported({ a: null })]] },
  { name: 'delete one attribute → null', payload: twin('delete', '/attributes/a'), expect: [[`${S}/update`, reported({ a: null })]] },
  { name: 'feature value null → update with null', payload: twin('modify', '/features', { f: null }), expect: [[`${S}/name/f/update`, reported(null)]] },
  { name: 'topicFilter excludes', payload: twin('modify', '/features/f', { properties: { a: 1 } }), options: { topicFilter: '^test/device/things/twin/commands/modify$' }, expect: 'excluded by topicFilter' },
  { name: 'topicFilter not matching', payload: twin('modify', '/features/f', { properties: { a: 1 } }), options: { topicFilter: 'merge' }, expect: [[`${S}/name/f/update`, reported({ a: 1 })]] },
  { name: 'payloadFilters remove leaves', payload: twin('modify', '/features/f', { properties: { a: 1, secret: 2, nested: { k: 3 } } }), options: { payloadFilters: ['^/features/f/properties/secret$', '/nested/'] },
    expect: [[`${S}/name/f/update`, reported({ a: 1 })]] },
  { name: 'payloadFilters on array indices', payload: twin('modify', '/attributes', { list: [1, 2, 3] }), options: { payloadFilters: ['^/attributes/list/1$'] }, expect: [[`${S}/update`, reported({ list: [1, 3] })]] },
  { name: 'payloadFilters removing everything → drop', payload: twin('modify', '/attributes/a', 1), options: { payloadFilters: ['.*'] }, expect: 'payloadFilters' },
  { name: 'feature without properties/definition → nothing', payload: twin('modify', '/features/f', {}), expect: 'nothing to map' },
  { name: 'path with too many levels → drop', payload: twin('modify', '/attributes' + '/a'.repeat(40), 1), expect: 'levels' },
];

describe('AWS protocol: twin commands → shadows', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = createAwsProtocol(c.options).toCloud(local(c.payload), ctx);
      if (typeof c.expect === 'string') {
        assert.equal(r.ok, false);
        assert.match(r.ok ? '' : r.drop, new RegExp(c.expect));
      } else {
        assert.deepEqual(out(r), c.expect);
        assert.ok(r.ok && r.messages.every((m) => m.qos === 1));
      }
    });
  }

  it('modify sends null for keys that disappeared since the last accepted state', () => {
    const p = createAwsProtocol();
    const learned = p.toLocal({ topic: `${S}/name/f/update/accepted`, payload: Buffer.from(JSON.stringify({ state: { reported: { a: 1, b: { c: 1, d: 2 }, definition: ['x:y:1'] } }, version: 3 })), qos: 1 }, ctx);
    assert.deepEqual(learned, { ok: true, messages: [] });
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/features/f/properties', { b: { c: 5 } })), ctx)), [[`${S}/name/f/update`, reported({ b: { c: 5, d: null }, a: null })]]);
    // The state now is {b:{c:5}, definition}; replacing the whole feature drops the definition too.
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/features/f', { properties: { z: 1 } })), ctx)), [[`${S}/name/f/update`, reported({ z: 1, b: null, definition: null })]]);
    // And a feature replaced without properties clears the known ones.
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/features/f', { definition: ['n:e:w'] })), ctx)), [[`${S}/name/f/update`, reported({ z: null, definition: ['n:e:w'] })]]);
  });

  it('modify of attributes and of the whole thing null removed keys; merge does not', () => {
    const p = createAwsProtocol();
    p.toLocal({ topic: `${S}/update/accepted`, payload: Buffer.from(JSON.stringify({ state: { reported: { a: 1, b: 2 } } })), qos: 1 }, ctx);
    assert.deepEqual(out(p.toCloud(local(twin('merge', '/attributes', { a: 3 })), ctx)), [[`${S}/update`, reported({ a: 3 })]]);
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/attributes', { a: 4 })), ctx)), [[`${S}/update`, reported({ a: 4, b: null })]]);
    p.toLocal({ topic: `${S}/name/f/update/accepted`, payload: Buffer.from(JSON.stringify({ state: { reported: { old: 1 } } })), qos: 1 }, ctx);
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/', { attributes: { n: 1 }, features: { f: { properties: { p: 1 } } } })), ctx)), [
      [`${S}/update`, reported({ n: 1, a: null })],
      [`${S}/name/f/update`, reported({ p: 1, old: null })],
    ]);
  });

  it('forgets a shadow on delete/accepted and learns child shadows', () => {
    const p = createAwsProtocol();
    const shadow = `${S}/name/edge:containers:F`;
    p.toLocal({ topic: `${shadow}/update/accepted`, payload: Buffer.from('{"state":{"reported":{"a":1}}}'), qos: 1 }, ctx);
    assert.deepEqual(p.shadows.get(shadow), { a: 1 });
    p.toLocal({ topic: `${shadow}/delete/accepted`, payload: Buffer.from('{"version":2}'), qos: 1 }, ctx);
    assert.equal(p.shadows.get(shadow), undefined);
    assert.deepEqual(out(p.toCloud(local(twin('modify', '/features/F/properties', { b: 1 }, 'test:device:edge:containers')), ctx)), [[`${shadow}/update`, reported({ b: 1 })]]);
  });

  it('ignores "__proto__" keys as plain data', () => {
    const r = createAwsProtocol().toCloud(local('{"topic":"test/device/things/twin/commands/modify","path":"/attributes","value":{"__proto__":{"x":1}}}'), ctx);
    assert.ok(r.ok);
    assert.equal(r.messages[0]!.payload.toString(), '{"state":{"reported":{"__proto__":{"x":1}}}}');
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });
});

describe('AWS protocol: everything else goes up verbatim, Hono-style', () => {
  const table: [name: string, topic: string, payload: string, expectTopic: string][] = [
    ['event of the gateway', 'e', '{"topic":"test/device/things/live/messages/data","path":"/features/m/outbox/messages/data","value":1}', 'event/test-tenant/test:device'],
    ['telemetry of a sub-device', 't/x/test:device:edge:containers', '{"a":1}', 'telemetry/x/test:device:edge:containers'],
    ['twin command of another thing', 'event', twin('modify', '/attributes/a', 1, 'other:thing'), 'event/test-tenant/test:device'],
    ['twin response (has status)', 'e', env('test/device/things/twin/commands/modify', '/attributes/a', undefined, { status: 204 }), 'event/test-tenant/test:device'],
    ['retrieve is no shadow update', 'e', twin('retrieve', '/'), 'event/test-tenant/test:device'],
  ];
  for (const [name, topic, payload, expectTopic] of table) {
    it(name, () => {
      const r = createAwsProtocol().toCloud(local(payload, topic), ctx);
      assert.ok(r.ok && r.messages.length === 1);
      const m = r.messages[0]!;
      assert.equal(m.topic, expectTopic);
      const body = JSON.parse(m.payload.toString());
      assert.equal(body.headers['x-timestamp'], 1_700_000_000_123);
      delete body.headers['x-timestamp'];
      const sent = JSON.parse(payload);
      assert.deepEqual(body, { ...sent, headers: sent.headers ?? {} });
    });
  }

  it('non-JSON payloads pass byte for byte', () => {
    const payload = Buffer.from([0xff, 0x00, 0x7b]);
    assert.equal(withTimestamp(payload, 1), payload);
    const r = createAwsProtocol().toCloud({ topic: 'telemetry', payload, qos: 0 }, ctx);
    assert.ok(r.ok && r.messages[0]!.payload === payload);
  });

  it('command responses go to command//<device>/res/<reqId>/<status> unchanged', () => {
    const p = createAwsProtocol();
    for (const [topic, expected] of [
      ['command///res/r1/204', 'command///res/r1/204'],
      ['c//test:device:edge:containers/s/r2/200', 'command//test:device:edge:containers/res/r2/200'],
    ] as const) {
      const r = p.toCloud(local('{"x":1}', topic), ctx);
      assert.ok(r.ok);
      assert.deepEqual(r.messages.map((m) => [m.topic, m.payload.toString()]), [[expected, '{"x":1}']]);
    }
    assert.equal(p.toCloud(local('{}', 'command///req/r/op'), ctx).ok, false);
  });
});

describe('AWS protocol: cloud commands', () => {
  const cmd = (thing: string) => env(`${thing}/things/live/messages/install`, '/features/SoftwareUpdatable/inbox/messages/install', {}, { headers: { 'correlation-id': 'c1' } });
  const table: [name: string, topic: string, payload: string, expected: string[] | RegExp][] = [
    ['gateway command (empty device level)', 'command///req/r1/install', cmd('test/device'), ['command///req/r1/install', 'c///q/r1/install']],
    ['child command', 'command//test:device:edge:containers/req/r2/op', cmd('test/device:edge:containers'), ['command//test:device:edge:containers/req/r2/op', 'c//test:device:edge:containers/q/r2/op']],
    ['short cmd form', 'cmd//test:device/q/r3/op', cmd('test/device'), ['command//test:device/req/r3/op', 'c//test:device/q/r3/op']],
    ['one-way command', 'command///req//op', cmd('test/device'), ['command///req//op', 'c///q//op']],
    ['other thing is dropped', 'command///req/r1/op', cmd('other/device'), /not addressed/],
    ['prefix without ":" is not a child', 'command///req/r1/op', cmd('test/device2'), /not addressed/],
    ['non-envelope is dropped', 'command///req/r1/op', 'hello', /not a Ditto envelope/],
    ['response topic is dropped', 'command///res/r1/200', cmd('test/device'), /not a command request/],
  ];
  for (const [name, topic, payload, expected] of table) {
    it(name, () => {
      const r = createAwsProtocol().toLocal({ topic, payload: Buffer.from(payload), qos: 1 }, ctx);
      if (expected instanceof RegExp) assert.match(r.ok ? 'ok' : r.drop, expected);
      else {
        assert.ok(r.ok);
        assert.deepEqual(r.messages.map((m) => m.topic), expected);
        assert.ok(r.messages.every((m) => m.payload.toString() === payload));
      }
    });
  }

  it('subscribes commands, shadow acceptances, get answers and deltas at the cloud', () => {
    assert.deepEqual(createAwsProtocol().cloudSubscriptions(ctx), [
      'command//+/req/#',
      'cmd//+/q/#',
      `${S}/update/accepted`,
      `${S}/delete/accepted`,
      `${S}/name/+/update/accepted`,
      `${S}/name/+/delete/accepted`,
      `${S}/update/rejected`,
      `${S}/name/+/update/rejected`,
      `${S}/get/accepted`,
      `${S}/get/rejected`,
      `${S}/name/+/get/accepted`,
      `${S}/name/+/get/rejected`,
      `${S}/update/delta`,
      `${S}/name/+/update/delta`,
    ]);
  });

  it('rejects a bad regex at creation with a stable code', () => {
    assert.throws(() => createAwsProtocol({ topicFilter: '(' }), { code: AwsErrorCodes.INVALID_FILTER });
    assert.throws(() => createAwsProtocol({ payloadFilters: ['ok', '[' ] }), { code: AwsErrorCodes.INVALID_FILTER });
  });
});

cloudProtocolContract('aws', {
  make: () => createAwsProtocol({ payloadFilters: ['/secret$'] }),
  ctx,
  localSamples: [local(twin('modify', '/features/test', { properties: { status: 200 } })), local('{"a":1}', 't'), local('{}', 'command///res/1/204')],
  cloudSamples: [{ topic: 'command///req/1/op', payload: Buffer.from(twin('modify', '/', {})), qos: 1 }],
});
