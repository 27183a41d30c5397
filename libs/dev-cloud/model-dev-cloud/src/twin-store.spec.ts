// The twin store: every twin command kind and path Ledge's gateway sends, Ditto's errors, garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DittoEnvelope } from '@ledge/shared/model-ditto';
import { emptyTwinState, type TwinState } from './thing';
import { applyTwinCommand, readPath, type TwinCommandResult } from './twin-store';

const NOW = '2025-01-02T03:04:05.000Z';
const cmd = (action: string, path: string, value?: unknown, thing = 'demo/gw'): DittoEnvelope => ({
  topic: `${thing}/things/twin/commands/${action}`,
  headers: { 'response-required': false },
  path,
  ...(value === undefined ? {} : { value }),
});

/** Applies commands in order; each must succeed. */
function run(...commands: DittoEnvelope[]): { state: TwinState; results: TwinCommandResult[] } {
  let state = emptyTwinState;
  const results: TwinCommandResult[] = [];
  for (const c of commands) {
    const r = applyTwinCommand(state, c, NOW);
    assert.equal(r.error, undefined, `${c.topic} ${c.path}: ${JSON.stringify(r.error)}`);
    results.push(r);
    state = r.state;
  }
  return { state, results };
}

const thing = (state: TwinState, id = 'demo:gw') => state.things[id]!;
const SU = { definition: ['org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0'], properties: { status: { softwareModuleType: 'demo', lastOperation: { status: 'IDLE' } } } };

describe('twin store: device twin commands', () => {
  it('a modify of a Feature on a Thing the store lacks creates the Thing (one created event for /)', () => {
    const { state, results } = run(cmd('modify', '/features/SoftwareUpdatable', SU));
    assert.deepEqual(results[0]!.event, { thingId: 'demo:gw', action: 'created', path: '/', value: { thingId: 'demo:gw', features: { SoftwareUpdatable: SU } }, revision: 1, timestamp: NOW });
    assert.deepEqual(thing(state), { thingId: 'demo:gw', features: { SoftwareUpdatable: SU }, _revision: 1, _created: NOW, _modified: NOW });
  });

  it('modify: created the first time, modified after; the revision counts up', () => {
    const { results } = run(cmd('create', '/', { attributes: {} }), cmd('modify', '/attributes/location', 'lab'), cmd('modify', '/attributes/location', 'hall'));
    assert.deepEqual(results.map((r) => [r.event!.action, r.event!.path, r.event!.value, r.event!.revision]), [
      ['created', '/', { thingId: 'demo:gw', attributes: {} }, 1],
      ['created', '/attributes/location', 'lab', 2],
      ['modified', '/attributes/location', 'hall', 3],
    ]);
  });

  const paths: [string, unknown, string[], unknown][] = [
    ['/attributes', { a: 1 }, ['attributes'], { a: 1 }],
    ['/attributes/x~1y/z', 5, ['attributes', 'x/y', 'z'], 5],
    ['/definition', 'demo:gateway:1.0.0', ['definition'], 'demo:gateway:1.0.0'],
    ['/policyId', 'demo:policy', ['policyId'], 'demo:policy'],
    ['/features', { A: {} }, ['features'], { A: {} }],
    ['/features/Meter', { properties: { v: 1 } }, ['features', 'Meter'], { properties: { v: 1 } }],
    ['/features/Base/definition', ['demo:base:1.0.0'], ['features', 'Base', 'definition'], ['demo:base:1.0.0']],
    ['/features/Base/properties', { p: 1 }, ['features', 'Base', 'properties'], { p: 1 }],
    ['/features/Base/properties/deep/er', [1, 2], ['features', 'Base', 'properties', 'deep', 'er'], [1, 2]],
    ['/features/Base/desiredProperties', { d: 1 }, ['features', 'Base', 'desiredProperties'], { d: 1 }],
    ['/features/Base/desiredProperties/x~0y', null, ['features', 'Base', 'desiredProperties', 'x~y'], null],
  ];
  for (const [path, value, at, expected] of paths) {
    it(`modify ${path} → readable at the same path`, () => {
      const { state } = run(cmd('create', '/', { features: { Base: {} } }), cmd('modify', path, value));
      const read = readPath(thing(state), at);
      assert.deepEqual(read, { ok: true, value: expected });
      assert.deepEqual(readPath(thing(state), path), { ok: true, value: expected }, 'an escaped pointer reads the same');
    });
  }

  it('merge is an RFC 7396 patch at the path; missing levels appear; null deletes', () => {
    const { state, results } = run(
      cmd('modify', '/features/SoftwareUpdatable', SU),
      cmd('merge', '/features/SoftwareUpdatable/properties/status', { lastOperation: { status: 'FINISHED_SUCCESS', message: null }, progress: 100 }),
      cmd('merge', '/features/New/properties', { a: { b: 1 } }),
      cmd('merge', '/', { attributes: { site: 'lab' }, features: { New: null } }),
    );
    assert.deepEqual(results[1]!.event, {
      thingId: 'demo:gw',
      action: 'merged',
      path: '/features/SoftwareUpdatable/properties/status',
      value: { lastOperation: { status: 'FINISHED_SUCCESS', message: null }, progress: 100 },
      revision: 2,
      timestamp: NOW,
    });
    assert.deepEqual(thing(state).features, {
      SoftwareUpdatable: { definition: SU.definition, properties: { status: { softwareModuleType: 'demo', lastOperation: { status: 'FINISHED_SUCCESS' }, progress: 100 } } },
    });
    assert.deepEqual(thing(state).attributes, { site: 'lab' });
    assert.equal(thing(state)._revision, 4);
  });

  it('delete: a Feature, a property, the Thing', () => {
    const { state, results } = run(cmd('modify', '/features/A', { properties: { x: 1, y: 2 } }), cmd('modify', '/features/B', {}), cmd('delete', '/features/A/properties/x'), cmd('delete', '/features/B'));
    assert.deepEqual(results.slice(2).map((r) => [r.event!.action, r.event!.path, 'value' in r.event!]), [
      ['deleted', '/features/A/properties/x', false],
      ['deleted', '/features/B', false],
    ]);
    assert.deepEqual(thing(state).features, { A: { properties: { y: 2 } } });
    const gone = applyTwinCommand(state, cmd('delete', '/'), NOW);
    assert.deepEqual(gone.state.things, {});
    assert.deepEqual(gone.event, { thingId: 'demo:gw', action: 'deleted', path: '/', revision: 5, timestamp: NOW });
  });

  it('create and modify of / keep the topic\'s thingId and drop bookkeeping and unknown fields', () => {
    const { state } = run(cmd('modify', '/', { thingId: 'demo:gw', policyId: 'demo:p', _revision: 99, attributes: { a: 1 } }));
    assert.deepEqual(thing(state), { thingId: 'demo:gw', policyId: 'demo:p', attributes: { a: 1 }, _revision: 1, _created: NOW, _modified: NOW });
  });

  it('keeps Things apart and accepts a namespaced name with colons (container things)', () => {
    const { state } = run(cmd('modify', '/features/A', {}), cmd('modify', '/features/B', {}, 'demo/gw:edge:containers'));
    assert.deepEqual(Object.keys(state.things).sort(), ['demo:gw', 'demo:gw:edge:containers']);
  });
});

describe('twin store: Ditto errors', () => {
  const base = run(cmd('modify', '/features/A', { properties: { x: 1 } })).state;
  const cases: [string, DittoEnvelope, number, string][] = [
    ['create of an existing Thing', cmd('create', '/', {}), 409, 'things:thing.conflict'],
    ['create below /', cmd('create', '/attributes', {}), 400, 'things:command.invalid'],
    ['a Thing ID in the value that differs', cmd('modify', '/', { thingId: 'demo:other' }), 400, 'things:id.notsettable'],
    ['a property of a missing Feature', cmd('modify', '/features/Nope/properties/x', 1), 404, 'things:feature.notfound'],
    ['delete of a missing Feature', cmd('delete', '/features/Nope'), 404, 'things:feature.notfound'],
    ['delete of a missing property', cmd('delete', '/features/A/properties/nope'), 404, 'things:feature.property.notfound'],
    ['delete of missing desired properties', cmd('delete', '/features/A/desiredProperties'), 404, 'things:feature.desiredProperties.notfound'],
    ['delete of a missing attribute', cmd('delete', '/attributes/nope'), 404, 'things:attribute.notfound'],
    ['delete of a missing Thing', cmd('delete', '/', undefined, 'demo/nope'), 404, 'things:thing.notfound'],
    ['attributes that are not an object', cmd('modify', '/attributes', [1]), 400, 'json.invalid'],
    ['a Feature with an unknown field', cmd('modify', '/features/B', { props: {} }), 400, 'json.invalid'],
    ['a Feature definition that is not a list of strings', cmd('modify', '/features/A/definition', 'x'), 400, 'json.invalid'],
    ['a modify without a value', cmd('modify', '/attributes/x'), 400, 'json.invalid'],
    ['a path that is no resource', cmd('modify', '/nope', 1), 400, 'json.pointer.invalid'],
    ['a bad escape', cmd('modify', '/attributes/a~2', 1), 400, 'json.pointer.invalid'],
    ['an empty level', cmd('modify', '/attributes//a', 1), 400, 'json.pointer.invalid'],
    ['a retrieve', cmd('retrieve', '/'), 400, 'things:command.invalid'],
    ['a live command', { topic: 'demo/gw/things/live/commands/modify', headers: {}, path: '/attributes/x', value: 1 }, 400, 'things:command.invalid'],
    ['an event', { topic: 'demo/gw/things/twin/events/modified', headers: {}, path: '/attributes/x', value: 1 }, 400, 'things:command.invalid'],
    ['the placeholder thing', cmd('modify', '/attributes/x', 1, '_/_'), 400, 'things:id.invalid'],
    ['a value nested too deep', cmd('modify', '/attributes/x', JSON.parse('['.repeat(80) + ']'.repeat(80))), 400, 'json.invalid'],
    ['a Thing over 1 MiB', cmd('modify', '/attributes/x', 'x'.repeat(1024 * 1024 + 1)), 413, 'things:thing.toolarge'],
  ];
  for (const [what, envelope, status, error] of cases) {
    it(`${what} → ${status} ${error}, state unchanged`, () => {
      const r = applyTwinCommand(base, envelope, NOW);
      assert.equal(r.error?.status, status, JSON.stringify(r.error));
      assert.equal(r.error?.error, error);
      assert.equal(typeof r.error?.message, 'string');
      assert.equal(r.state, base);
      assert.equal(r.event, undefined);
    });
  }

  it('never throws on garbage', () => {
    const garbage: unknown[] = [null, 1, 'x', [], {}, { topic: 5 }, { topic: 'a/b/things/twin/commands/modify', path: 7 }, { topic: 'demo/gw/things/twin/commands/modify', path: '/attributes/x', value: () => 1 }, { topic: 'demo/gw/things/twin/commands/modify', path: '/attributes/x', value: 1n }];
    for (const g of garbage) {
      const r = applyTwinCommand(base, g as DittoEnvelope, NOW);
      assert.ok(r.error, String(g));
      assert.equal(r.state, base);
    }
    assert.ok(applyTwinCommand(base, cmd('modify', '/attributes/x', 1), Number.NaN).error, 'a clock that gives no time');
  });
});

describe('readPath (HTTP GET)', () => {
  const { state } = run(cmd('modify', '/', { policyId: 'demo:p', attributes: { loc: { room: 1 } }, features: { A: { definition: ['d:a:1'], properties: { x: 1 } } } }));
  const t = thing(state);
  it('the whole Thing without its _ fields', () => {
    assert.deepEqual(readPath(t, '/'), { ok: true, value: { thingId: 'demo:gw', policyId: 'demo:p', attributes: { loc: { room: 1 } }, features: { A: { definition: ['d:a:1'], properties: { x: 1 } } } } });
  });
  const missing: [string, string][] = [
    ['/definition', 'things:definition.notfound'],
    ['/attributes/nope', 'things:attribute.notfound'],
    ['/features/B', 'things:feature.notfound'],
    ['/features/B/properties/x', 'things:feature.notfound'],
    ['/features/A/properties/nope', 'things:feature.property.notfound'],
    ['/features/A/desiredProperties', 'things:feature.desiredProperties.notfound'],
    ['/features/A/desiredProperties/x', 'things:feature.desiredProperties.notfound'],
    ['/features/B/definition', 'things:feature.notfound'],
  ];
  for (const [path, error] of missing) {
    it(`${path} → 404 ${error}`, () => {
      const r = readPath(t, path);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.error.status, r.error.error], [404, error]);
    });
  }
  it('a path that is no resource → 400', () => {
    const r = readPath(t, ['nope']);
    assert.equal(!r.ok && r.error.status, 400);
  });
});
