import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope, peekEnvelopeAddress } from './envelope';

const valid = {
  topic: 'demo/device/things/live/messages/install',
  headers: { 'correlation-id': 'c-1', 'response-required': true, timeout: '60s' },
  path: '/features/SoftwareUpdatable/inbox/messages/install',
  value: { correlationId: 'x' },
};

describe('parseEnvelope', () => {
  it('accepts an object, a string and bytes alike', () => {
    for (const input of [valid, JSON.stringify(valid), new TextEncoder().encode(JSON.stringify(valid))]) {
      const r = parseEnvelope(input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.envelope, valid);
    }
  });

  it('keeps null values and statuses, omits absent values, defaults headers', () => {
    const r = parseEnvelope({ topic: 't', path: '/', value: null, status: 204 });
    assert.ok(r.ok);
    assert.deepEqual(r.envelope, { topic: 't', headers: {}, path: '/', value: null, status: 204 });
    const r2 = parseEnvelope('{"topic":"t","path":"/x"}');
    assert.ok(r2.ok);
    assert.equal(Object.hasOwn(r2.envelope, 'value'), false);
  });

  it('accepts list-valued headers such as requested-acks', () => {
    const r = parseEnvelope({ ...valid, headers: { 'requested-acks': ['twin-persisted'] } });
    assert.ok(r.ok);
  });

  const garbage: Array<[string, unknown, RegExp]> = [
    ['empty string (software-update request)', '', /empty/],
    ['whitespace', '   ', /empty/],
    ['not JSON', '{topic:', /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), /UTF-8/],
    ['JSON array', '[1,2]', /object/],
    ['JSON null', 'null', /object/],
    ['number', 42, /object/],
    ['missing topic', { path: '/' }, /"topic"/],
    ['empty topic', { topic: '', path: '/' }, /"topic"/],
    ['topic not a string', { topic: 1, path: '/' }, /"topic"/],
    ['missing path', { topic: 't' }, /"path"/],
    ['relative path', { topic: 't', path: 'features/x' }, /"path"/],
    ['headers an array', { topic: 't', path: '/', headers: [] }, /"headers"/],
    ['headers a string', { topic: 't', path: '/', headers: 'x' }, /"headers"/],
    ['header object value', { topic: 't', path: '/', headers: { a: { b: 1 } } }, /header "a"/],
    ['header null value', { topic: 't', path: '/', headers: { a: null } }, /header "a"/],
    ['status a string', { topic: 't', path: '/', status: '200' }, /"status"/],
    ['status out of range', { topic: 't', path: '/', status: 99 }, /"status"/],
    ['status fractional', { topic: 't', path: '/', status: 200.5 }, /"status"/],
    ['value with a function', { topic: 't', path: '/', value: { f: () => 1 } }, /not a JSON value/],
    ['value with NaN', { topic: 't', path: '/', value: [Number.NaN] }, /finite/],
    ['value with a Date', { topic: 't', path: '/', value: new Date(0) }, /plain JSON object/],
  ];
  for (const [name, input, problem] of garbage) {
    it(`rejects ${name}`, () => {
      const r = parseEnvelope(input);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problems.some((p) => problem.test(p)), JSON.stringify(r));
    });
  }

  it('keeps a string field selector (`fields` of a retrieve) and drops any other type', () => {
    const base = { topic: 'demo/device/things/twin/commands/retrieve', path: '/' };
    const kept = parseEnvelope({ ...base, fields: 'features(meter/properties)' });
    assert.ok(kept.ok);
    assert.equal(kept.envelope.fields, 'features(meter/properties)');
    const dropped = parseEnvelope({ ...base, fields: ['features'] });
    assert.ok(dropped.ok);
    assert.equal('fields' in dropped.envelope, false);
  });

  it('reports every problem at once', () => {
    const r = parseEnvelope({ topic: 3, path: 4, status: 'x' });
    assert.ok(!r.ok);
    assert.equal(r.problems.length, 3);
  });

  it('limits size, depth and node count, including for cyclic objects', () => {
    assert.equal(parseEnvelope(JSON.stringify(valid), { maxBytes: 10 }).ok, false);
    const deep = `{"topic":"t","path":"/","value":${'['.repeat(100)}${']'.repeat(100)}}`;
    const r = parseEnvelope(deep);
    assert.ok(!r.ok && /deeper/.test(r.problems[0]!));
    const cyclic: Record<string, unknown> = { topic: 't', path: '/' };
    cyclic['value'] = cyclic;
    assert.equal(parseEnvelope(cyclic).ok, false);
    const wide = { topic: 't', path: '/', value: Array.from({ length: 20 }, () => 1) };
    assert.equal(parseEnvelope(wide, { maxNodes: 10 }).ok, false);
  });

  it('never throws on a 100k-deep payload', () => {
    const r = parseEnvelope('['.repeat(100_000) + ']'.repeat(100_000));
    assert.equal(r.ok, false);
  });

  it('does not let a __proto__ header touch the prototype', () => {
    const r = parseEnvelope('{"topic":"t","path":"/","headers":{"__proto__":"x"}}');
    assert.ok(r.ok);
    assert.equal(Object.getPrototypeOf(r.envelope.headers), Object.prototype);
    assert.equal(Object.hasOwn(r.envelope.headers, '__proto__'), true);
  });
});

describe('peekEnvelopeAddress', () => {
  const env = { topic: 'demo/device/things/live/messages/install', headers: { 'content-type': 'application/json', 'correlation-id': 'c-1', nested: { 'correlation-id': 'no' } }, path: '/features/F/inbox/messages/install' };
  it('reads topic, path and the correlation-id from the head of an envelope whose value is too large to parse', () => {
    const big = Buffer.from(JSON.stringify({ ...env, value: { blob: 'x'.repeat(3_000_000), list: [1, { a: '"}' }] } }));
    assert.deepEqual(peekEnvelopeAddress(big), { topic: env.topic, path: env.path, correlationId: 'c-1' });
  });
  it('finds keys in any order, with whitespace and escapes, and skips values of other kinds', () => {
    const text = `{ "value" : [1, {"topic": "inner"}, "s\\"x"], "n": -1.5e3, "ok": true, "z": null,\n "path":"/p\\u0041", "headers": {"Correlation-ID": "c\\"2"}, "topic": "a/b/things/live/messages/x" }`;
    assert.deepEqual(peekEnvelopeAddress(Buffer.from(text)), { topic: 'a/b/things/live/messages/x', path: '/pA', correlationId: 'c"2' });
  });
  it('stops at the scan limit, at broken JSON and at non-objects, keeping what it read before', () => {
    const head = `{"topic":"t/u/things/live/messages/x","headers":{"correlation-id":"c"},"value":"${'y'.repeat(100)}`;
    assert.deepEqual(peekEnvelopeAddress(Buffer.from(head)), { topic: 't/u/things/live/messages/x', correlationId: 'c' });
    assert.deepEqual(peekEnvelopeAddress(Buffer.from(`{"value":"${'y'.repeat(100)}","topic":"late"}`), 50), {});
    assert.deepEqual(peekEnvelopeAddress(Buffer.from('{"topic":"t", oops}')), { topic: 't' });
    for (const junk of ['', '[]', '"topic"', '{', '{"topic":', '{"topic":1}', '{"headers":"x","topic":"t"}', '\u0000\u00ff']) {
      assert.doesNotThrow(() => peekEnvelopeAddress(Buffer.from(junk)), junk);
    }
    assert.deepEqual(peekEnvelopeAddress(Buffer.from('{"headers":"x","topic":"t"}')), { topic: 't' });
  });
});
