import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleLocalTwinCommand, type LocalCommandOutcome } from './local-commands';
import { createMemoryTwins, testTwinContext, type MemoryTwins } from './testing/memory-twins';
import type { TwinEnvelope, TwinMessage } from './twin-types';

const DEVICE = 'org.eclipse.kanto:test';
const ctx = testTwinContext({ deviceId: DEVICE });
const T = 'org.eclipse.kanto/test/things/twin/commands';
const H = { 'correlation-id': 'c1' };
const ISO = '2024-01-01T00:00:00.000Z';

function cmd(action: string, path: string, value?: unknown, extra: Partial<TwinEnvelope> = {}): TwinEnvelope {
  return { topic: `${T}/${action}`, headers: H, path, ...(value === undefined ? {} : { value }), ...extra };
}

type Handled = Extract<LocalCommandOutcome, { handled: true }>;

function run(twins: MemoryTwins, envelope: TwinEnvelope): Handled {
  const outcome = handleLocalTwinCommand(twins, envelope, ctx);
  assert.ok(outcome.handled, 'handled');
  twins.apply(outcome.writes);
  return outcome;
}

const byTopic = (local: readonly TwinMessage[]) => local.map((m) => m.topic);
const response = (o: Handled) => o.local.find((m) => m.topic.endsWith('-response'))?.envelope;

function withMeter(): MemoryTwins {
  const twins = createMemoryTwins();
  run(twins, cmd('modify', '/features/meter', { properties: { x: 12.34, y: 5.6 } }));
  return twins;
}

describe('handleLocalTwinCommand: Kanto feature examples', () => {
  it('modify feature: 201 created with an auto-provisioned thing, then 204 modified', () => {
    const twins = createMemoryTwins();
    const first = run(twins, cmd('modify', '/features/meter', { properties: { x: 12.34, y: 5.6 } }));
    assert.deepEqual(byTopic(first.local), ['command///req//created', 'command///req//modify-response', 'command///req//created']);
    const [provisioned, created, event] = first.local.map((m) => m.envelope);
    assert.deepEqual(provisioned, {
      topic: 'org.eclipse.kanto/test/things/twin/events/created',
      headers: { 'response-required': false, 'correlation-id': 'c1', 'content-type': 'application/json' },
      path: '/',
      value: { thingId: DEVICE },
      revision: 1,
      timestamp: ISO,
    });
    assert.deepEqual(created, { topic: `${T}/modify`, headers: { 'correlation-id': 'c1' }, path: '/features/meter', status: 201 });
    assert.deepEqual(event, {
      topic: 'org.eclipse.kanto/test/things/twin/events/created',
      headers: { 'response-required': false, 'correlation-id': 'c1', 'content-type': 'application/json' },
      path: '/features/meter',
      value: { properties: { x: 12.34, y: 5.6 } },
      revision: 2,
      timestamp: ISO,
    });
    const second = run(twins, cmd('modify', '/features/meter', { properties: { x: 1.2 } }));
    assert.equal(response(second)?.status, 204);
    assert.equal(second.local[1]?.envelope.topic, 'org.eclipse.kanto/test/things/twin/events/modified');
    assert.equal(second.local[1]?.envelope.revision, 3);
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature, { properties: { x: 1.2 } });
  });

  it('without response-required: no response, the event still', () => {
    const twins = createMemoryTwins();
    const o = run(twins, cmd('modify', '/features/meter', { properties: {} }, { headers: { 'response-required': false } }));
    assert.deepEqual(byTopic(o.local), ['command///req//created', 'command///req//created']);
  });

  it('retrieve feature, properties, property (200 with the stored JSON)', () => {
    const twins = withMeter();
    const cases: Array<[string, unknown]> = [
      ['/features/meter', { properties: { x: 12.34, y: 5.6 } }],
      ['/features/meter/properties', { x: 12.34, y: 5.6 }],
      ['/features/meter/properties/x', 12.34],
      ['/', { thingId: DEVICE, features: { meter: { properties: { x: 12.34, y: 5.6 } } } }],
      ['/features', { meter: { properties: { x: 12.34, y: 5.6 } } }],
    ];
    for (const [path, value] of cases) {
      const o = run(twins, cmd('retrieve', path));
      assert.deepEqual(o.local, [
        {
          topic: 'command///req//retrieve-response',
          envelope: { topic: `${T}/retrieve`, headers: { 'correlation-id': 'c1', 'content-type': 'application/json' }, path, value, status: 200 },
        },
      ]);
      assert.deepEqual(o.writes, []);
      assert.equal(o.forward, undefined, 'a retrieve is answered locally, never forwarded');
    }
  });

  it('delete property: 204 and a deleted event without value', () => {
    const twins = withMeter();
    const o = run(twins, cmd('delete', '/features/meter/properties/x'));
    assert.equal(response(o)?.status, 204);
    assert.deepEqual(o.local[1], {
      topic: 'command///req//deleted',
      envelope: { topic: 'org.eclipse.kanto/test/things/twin/events/deleted', headers: { 'response-required': false, 'correlation-id': 'c1' }, path: '/features/meter/properties/x', revision: 3, timestamp: ISO },
    });
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature, { properties: { y: 5.6 } });
  });

  const notFound: Array<[string, string, string, number]> = [
    ['retrieve', '/features/meter', 'things:thing.notfound', 404],
    ['retrieve', '/', 'things:thing.notfound', 404],
  ];
  for (const [action, path, error, status] of notFound) {
    it(`${action} ${path} of an unknown thing: ${error}`, () => {
      const twins = createMemoryTwins();
      const o = run(twins, cmd(action, path));
      assert.deepEqual(o.local, [
        {
          topic: 'command///req//errors-response',
          envelope: {
            topic: 'org.eclipse.kanto/test/things/twin/errors',
            headers: { 'correlation-id': 'c1', 'content-type': 'application/json' },
            path: '/',
            value: { status, error, message: `The Thing with ID '${DEVICE}' could not be found.`, description: 'Check if the ID of your requested Thing was correct.' },
            status,
          },
        },
      ]);
      assert.deepEqual(o.writes, [], 'a retrieve does not provision');
    });
  }

  const missing: Array<[string, string, string]> = [
    ['retrieve', '/features/lamp', 'things:feature.notfound'],
    ['retrieve', '/features/lamp/properties', 'things:feature.notfound'],
    ['retrieve', '/features/meter/properties/z', 'things:feature.property.notfound'],
    ['retrieve', '/features/meter/desiredProperties', 'things:feature.desiredProperties.notfound'],
    ['retrieve', '/features/meter/desiredProperties/x', 'things:feature.desiredProperty.notfound'],
    ['retrieve', '/features/meter/definition', 'things:feature.definition.notfound'],
    ['retrieve', '/attributes', 'things:attributes.notfound'],
    ['retrieve', '/attributes/a', 'things:attribute.notfound'],
    ['retrieve', '/definition', 'things:definition.notfound'],
    ['delete', '/features/lamp', 'things:feature.notfound'],
    ['delete', '/features/meter/properties/z', 'things:feature.property.notfound'],
    ['delete', '/features/meter/desiredProperties', 'things:feature.desiredProperties.notfound'],
    ['delete', '/features/meter/desiredProperties/x', 'things:feature.desiredProperty.notfound'],
    ['delete', '/attributes/a', 'things:attribute.notfound'],
    ['modify', '/features/lamp/properties', 'things:feature.notfound'],
    ['modify', '/features/lamp/properties/a', 'things:feature.notfound'],
  ];
  for (const [action, path, error] of missing) {
    it(`${action} ${path}: ${error} (404), nothing written`, () => {
      const twins = withMeter();
      const before = twins.dump(DEVICE);
      const o = run(twins, cmd(action, path, action === 'modify' ? { a: 1 } : undefined));
      assert.equal(response(o)?.topic, 'org.eclipse.kanto/test/things/twin/errors');
      assert.deepEqual([(response(o)?.value as { error: string }).error, response(o)?.status], [error, 404]);
      assert.deepEqual(twins.dump(DEVICE), before);
      // A delete or modify of what the local twin lacks may still apply at the cloud: it is forwarded, with no marks.
      if (action === 'retrieve') assert.equal(o.forward, undefined);
      else assert.deepEqual(o.forward?.marks, []);
    });
  }
});

describe('handleLocalTwinCommand: what is not a local twin command', () => {
  const ignored: Array<[string, TwinEnvelope]> = [
    ['a live message', { topic: 'org.eclipse.kanto/test/things/live/messages/op', headers: {}, path: '/features/f/inbox/messages/op' }],
    ['an event', { topic: 'org.eclipse.kanto/test/things/twin/events/modified', headers: {}, path: '/features/f' }],
    ['a response', { topic: `${T}/modify`, headers: {}, path: '/features/f', status: 204 }],
    ['another device', { topic: 'org.eclipse.kanto/other/things/twin/commands/modify', headers: {}, path: '/features/f', value: {} }],
    ['a prefix that is not a child', { topic: 'org.eclipse.kanto/testing/things/twin/commands/modify', headers: {}, path: '/features/f', value: {} }],
    ['create below /', cmd('create', '/features/f', {})],
    ['a broken topic', { topic: 'not/a/ditto/topic', headers: {}, path: '/' }],
    ['a search that is not a retrieve', { topic: '_/_/things/twin/commands/modify', headers: {}, path: '/', value: {} }],
  ];
  for (const [name, envelope] of ignored) {
    it(`${name} → handled: false`, () => assert.deepEqual(handleLocalTwinCommand(createMemoryTwins(), envelope, ctx), { handled: false }));
  }
});

describe('handleLocalTwinCommand: values and paths', () => {
  const invalid: Array<[string, string, unknown]> = [
    ['modify', '/features/meter', { properties: 5 }],
    ['modify', '/features/meter', 'x'],
    ['modify', '/features/meter/properties', [1, 2]],
    ['modify', '/features/meter/desiredProperties', null],
    ['modify', '/features/meter/definition', 'not-an-array'],
    ['modify', '/features/meter/definition', [1]],
    ['modify', '/attributes', 7],
    ['modify', '/definition', {}],
    ['modify', '/features', { meter: 1 }],
    ['modify', '/features', { 'a/b': {} }],
    ['modify', '/', { features: [] }],
    ['modify', '/', 'thing'],
    ['merge', '/', null],
    ['merge', '/features/meter', { properties: 'x' }],
  ];
  for (const [action, path, value] of invalid) {
    it(`${action} ${path} ${JSON.stringify(value)} → json.invalid 400, nothing written or forwarded`, () => {
      const twins = withMeter();
      const before = twins.dump(DEVICE);
      const o = run(twins, cmd(action, path, value));
      assert.deepEqual([(response(o)?.value as { error: string }).error, response(o)?.status], ['json.invalid', 400]);
      assert.equal(response(o)?.topic, 'org.eclipse.kanto/test/things/twin/errors');
      assert.equal(o.local[0]?.topic, 'command///req//errors-response');
      assert.deepEqual(twins.dump(DEVICE), before);
      assert.equal(o.forward, undefined);
    });
  }

  it('modify without a value → json.invalid', () => {
    const o = run(withMeter(), cmd('modify', '/features/meter/properties/x'));
    assert.equal((response(o)?.value as { error: string }).error, 'json.invalid');
  });

  for (const path of ['/features//x', '/features/meter/properties/a~9', '/nope', `/attributes${'/a'.repeat(40)}`]) {
    it(`a bad path ${path.slice(0, 30)} → json.pointer.invalid 400`, () => {
      const o = run(withMeter(), cmd('modify', path, 1));
      assert.deepEqual([(response(o)?.value as { error: string }).error, response(o)?.status], ['json.pointer.invalid', 400]);
      assert.deepEqual(o.writes, []);
    });
  }

  it('escaped property pointers address keys with "/" and "~"', () => {
    const twins = withMeter();
    run(twins, cmd('modify', '/features/meter/properties/a~1b/c~0d', 1));
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature.properties, { x: 12.34, y: 5.6, 'a/b': { 'c~d': 1 } });
    assert.equal(response(run(twins, cmd('retrieve', '/features/meter/properties/a~1b/c~0d')))?.value, 1);
  });

  it('never throws on garbage', () => {
    const twins = withMeter();
    const garbage: unknown[] = [undefined, null, 1, 'x', [], { a: { b: null } }, JSON.parse('{"__proto__":{"p":1}}')];
    for (const value of garbage) {
      for (const action of ['create', 'modify', 'merge', 'delete', 'retrieve']) {
        for (const path of ['/', '/features', '/features/meter', '/features/meter/properties', '/features/meter/properties/__proto__', '/attributes', '/attributes/__proto__', '/definition', '/policyId']) {
          const o = handleLocalTwinCommand(twins, cmd(action, path, value), ctx);
          if (o.handled) twins.apply(o.writes);
        }
      }
    }
    assert.equal(({} as Record<string, unknown>)['p'], undefined);
  });
});

describe('handleLocalTwinCommand: merge (RFC 7396)', () => {
  it('merges properties, null removes, 204 and a merged event carrying the patch', () => {
    const twins = withMeter();
    const o = run(twins, cmd('merge', '/features/meter/properties', { x: null, z: { a: 1 } }, { headers: { 'content-type': 'application/merge-patch+json' } }));
    assert.equal(response(o)?.status, 204);
    assert.equal(o.local[1]?.topic, 'command///req//merged');
    assert.deepEqual(o.local[1]?.envelope.value, { x: null, z: { a: 1 } });
    assert.equal(o.local[1]?.envelope.headers['content-type'], 'application/merge-patch+json');
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature.properties, { y: 5.6, z: { a: 1 } });
  });

  it('merge creates a missing feature; merge null deletes it', () => {
    const twins = withMeter();
    run(twins, cmd('merge', '/features/lamp/properties/on', true));
    assert.deepEqual(twins.feature(DEVICE, 'lamp')?.feature, { properties: { on: true } });
    run(twins, cmd('merge', '/features', { lamp: null }));
    assert.equal(twins.feature(DEVICE, 'lamp'), undefined);
    assert.deepEqual(twins.thing(DEVICE)?.deletedFeatures, ['lamp']);
  });

  it('merge of the thing: attributes and features, thingId kept', () => {
    const twins = withMeter();
    run(twins, cmd('merge', '/', { attributes: { site: 'a' }, features: { meter: { properties: { y: null } } } }));
    assert.deepEqual(twins.thing(DEVICE)?.attributes, { site: 'a' });
    assert.deepEqual(twins.feature(DEVICE, 'meter')?.feature.properties, { x: 12.34 });
    const o = run(twins, cmd('merge', '/', { thingId: 'org.eclipse.kanto:other' }));
    assert.equal((response(o)?.value as { error: string }).error, 'things:id.notsettable');
  });
});
