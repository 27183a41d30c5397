// The CloudProtocol contract (STYLE.md: every pluggable interface ships a contract suite; after
// aedes-persistence's abstract.js). Every cloud mapping (Hono, AWS, Azure) must pass it: it never throws,
// whatever arrives from the local bus or the cloud, and everything it emits is publishable.
// Call it from a spec file with a factory and a few messages that must map successfully.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicFilterProblem, topicMatches, topicNameProblem } from '@ledge/shared/model-mqtt';
import type { BusMessage, CloudProtocol, DeviceContext, Mapped } from '../cloud-protocol';
import { CONNECTOR_LOCAL_FILTERS } from '../local-session';

export interface CloudProtocolContractOptions {
  /** A fresh protocol (protocols may keep state, e.g. AWS's last known shadows). */
  readonly make: () => CloudProtocol;
  readonly ctx?: DeviceContext;
  /** Local messages the protocol must map to at least one cloud message. */
  readonly localSamples: readonly BusMessage[];
  /** Cloud messages the protocol must map to at least one local message. */
  readonly cloudSamples: readonly BusMessage[];
}

const defaultCtx: DeviceContext = Object.freeze({ deviceId: 'test:device', tenantId: 'test-tenant', now: () => 1_700_000_000_000 });

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const envelope = (topic: unknown, path: unknown, value?: unknown, extra: object = {}) =>
  JSON.stringify({ topic, headers: { 'correlation-id': 'c-1' }, path, ...(value === undefined ? {} : { value }), ...extra });

/** Payloads that exercise parsers: not JSON, wrong JSON shapes, hostile values, near-valid envelopes. */
export function garbagePayloads(deviceId = defaultCtx.deviceId): Buffer[] {
  const [ns = 'x', name = 'y'] = deviceId.split(':');
  const twin = `${ns}/${name}/things/twin/commands`;
  return [
    '', ' ', 'null', 'true', '0', '"text"', '[]', '{}', '{', '}{', '\u0000', nested(20_000), 'x'.repeat(70_000),
    '{"topic":1,"path":2}', '{"topic":"","path":""}', '{"topic":"a/b","path":"/"}',
    envelope(`${twin}/modify`, 'relative'),
    envelope(`${twin}/modify`, '/', null),
    envelope(`${twin}/modify`, '/', 'scalar'),
    envelope(`${twin}/modify`, '/', []),
    envelope(`${twin}/modify`, '/', { features: 'no', attributes: 7 }),
    envelope(`${twin}/modify`, '/features', { f: null, g: 1, h: { properties: 'x', definition: 5 } }),
    envelope(`${twin}/modify`, '/features/__proto__/properties', { polluted: true }),
    envelope(`${twin}/modify`, '/attributes/constructor/prototype', { polluted: true }),
    envelope(`${twin}/modify`, '//features///x//', { a: 1 }),
    envelope(`${twin}/merge`, '/features/f/properties', { a: { b: { c: [1, { d: null }] } } }),
    envelope(`${twin}/delete`, '/'),
    envelope(`${twin}/delete`, '/features/f/properties/a'),
    envelope(`${twin}/modify`, '/features/f', { properties: { a: 1 } }, { status: 204 }),
    envelope(`${ns}/${name}:sub/things/twin/commands/create`, '/features/+/#', { properties: { a: 1 } }),
    envelope(`${ns}/${name}/things/live/messages/a/b`, '/features/f/inbox/messages/a/b', { x: 1 }),
    envelope(`${ns}/${name}/things/live/messages/x`, '/features/f/inbox/messages/x', 1, { headers: { 'correlation-id': 42 } }),
    envelope(`${ns}/${name}/things/live/messages/x`, '/inbox', 1, { headers: { 'correlation-id': 'a/+/#' } }),
    envelope('_/_/things/twin/commands/retrieve', '/', { thingIds: [deviceId] }),
    envelope('other:ns/thing/things/twin/commands/modify', '/attributes', { a: 1 }),
    '{"state":{"reported":{"a":1}}}', '{"state":{"reported":null}}', '{"state":7}',
  ].map((s) => Buffer.from(s));
}

/** Turns a filter into concrete topics (several fillings of each wildcard). */
function topicsFor(filter: string): string[] {
  const fills = [['', 'x'], ['test:device', 'a/b/c'], ['test:device:edge:containers', '1/200'], ['other:thing', 'req/1/op']];
  return fills.map(([plus = '', hash = '']) => filter.replaceAll('+', plus).replace(/#$/, hash).replace(/\/$/, ''));
}

const GARBAGE_TOPICS = [
  '', '#', '+', '/', '//', 'e', 'event', 't', 'telemetry', 'c', 'command', 'e/+/x', 'e/#', 'event//', 'telemetry///',
  'command//x/res//200', 'command//x/res/1/abc', 'command//x/res/1/999', 'c///s/1', 'command///req//', 'command//+/req/1/x',
  'c//a:b/q/1', 'cmd//a:b/q/1/x', '$aws', '$aws/things//shadow/update/accepted', '$aws/things/test:device/shadow/name//update/accepted',
  'devices//messages/devicebound/', 'devices/test:device/messages/devicebound', 'a'.repeat(70_000), 'x\u0000y', 'ünï/cödé',
];

function assertMapped(result: Mapped, what: string): void {
  assert.equal(typeof result, 'object', `${what}: result is an object`);
  if (result.ok) {
    assert.ok(Array.isArray(result.messages), `${what}: messages is an array`);
    for (const m of result.messages) {
      assert.equal(typeof m.topic, 'string', `${what}: topic is a string`);
      assert.equal(topicNameProblem(m.topic), undefined, `${what}: "${m.topic.slice(0, 200)}" is a valid topic name`);
      assert.ok(Buffer.isBuffer(m.payload), `${what}: payload is a Buffer`);
      assert.ok(m.qos === 0 || m.qos === 1 || m.qos === 2, `${what}: QoS ${String(m.qos)}`);
    }
  } else {
    assert.equal(result.ok, false);
    assert.ok(typeof result.drop === 'string' && result.drop.length > 0, `${what}: a drop has a reason`);
  }
}

export function cloudProtocolContract(name: string, options: CloudProtocolContractOptions): void {
  const ctx = options.ctx ?? defaultCtx;

  describe(`CloudProtocol contract: ${name}`, () => {
    it('declares a name and valid subscription filters', () => {
      const p = options.make();
      assert.ok(['hono', 'aws', 'azure'].includes(p.name));
      assert.ok(p.localSubscriptions.length > 0);
      for (const f of [...p.localSubscriptions, ...p.cloudSubscriptions(ctx)]) assert.equal(topicFilterProblem(f), undefined, f);
      // The broker creates the connector's session from this list before any client connects (issue 17).
      for (const f of p.localSubscriptions) assert.ok(CONNECTOR_LOCAL_FILTERS.includes(f), `${f} is missing from CONNECTOR_LOCAL_FILTERS (local-session.ts)`);
    });

    it('maps the samples', () => {
      const p = options.make();
      for (const m of options.localSamples) {
        const r = p.toCloud(m, ctx);
        assertMapped(r, `toCloud(${m.topic})`);
        assert.ok(r.ok && r.messages.length > 0, `toCloud(${m.topic}) maps: ${r.ok ? 'no messages' : r.drop}`);
      }
      for (const m of options.cloudSamples) {
        const r = p.toLocal(m, ctx);
        assertMapped(r, `toLocal(${m.topic})`);
        assert.ok(r.ok && r.messages.length > 0, `toLocal(${m.topic}) maps: ${r.ok ? 'no messages' : r.drop}`);
      }
    });

    it('never throws on garbage topics and payloads, in either direction', () => {
      const p = options.make();
      const payloads = garbagePayloads(ctx.deviceId);
      const local = [...GARBAGE_TOPICS, ...p.localSubscriptions.flatMap(topicsFor)];
      const cloud = [...GARBAGE_TOPICS, ...p.cloudSubscriptions(ctx).flatMap(topicsFor)];
      for (const topic of local) {
        for (const payload of payloads) {
          for (const qos of [0, 1, 2] as const) {
            assertMapped(p.toCloud({ topic, payload, qos }, ctx), `toCloud(${topic.slice(0, 60)}, ${payload.toString().slice(0, 60)})`);
          }
        }
      }
      for (const topic of cloud) {
        for (const payload of payloads) assertMapped(p.toLocal({ topic, payload, qos: 1 }, ctx), `toLocal(${topic.slice(0, 60)}, ${payload.toString().slice(0, 60)})`);
      }
    });

    it('does not loop: what it publishes on one side is not what it consumes on that side', () => {
      const p = options.make();
      const cloudSubs = p.cloudSubscriptions(ctx);
      for (const m of options.localSamples) {
        const r = p.toCloud(m, ctx);
        for (const out of r.ok ? r.messages : []) {
          for (const f of cloudSubs) assert.ok(!topicMatches(f, out.topic), `cloud publish ${out.topic} matches own cloud subscription ${f}`);
        }
      }
      for (const m of options.cloudSamples) {
        const r = p.toLocal(m, ctx);
        for (const out of r.ok ? r.messages : []) {
          for (const f of p.localSubscriptions) assert.ok(!topicMatches(f, out.topic), `local publish ${out.topic} matches own local subscription ${f}`);
        }
      }
    });

    it('does not mutate its input messages', () => {
      const p = options.make();
      for (const m of [...options.localSamples, ...options.cloudSamples]) {
        const before = Buffer.from(m.payload);
        p.toCloud(m, ctx);
        p.toLocal(m, ctx);
        assert.deepEqual(m.payload, before);
      }
    });
  });
}
