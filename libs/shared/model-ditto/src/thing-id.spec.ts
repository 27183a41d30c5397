import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerThingId, deviceOfContainerThing, formatThingId, parseThingId, sameThingId } from './thing-id';

describe('parseThingId', () => {
  const valid: Array<[string, string, string]> = [
    ['demo:device', 'demo', 'device'],
    ['test:dev12345', 'test', 'dev12345'],
    ['demo:device:edge:containers', 'demo', 'device:edge:containers'],
    ['com.acme-x.y:gw 1', 'com.acme-x.y', 'gw 1'],
  ];
  for (const [id, namespace, name] of valid) {
    it(`splits ${id}`, () => {
      assert.deepEqual(parseThingId(id), { ok: true, thingId: { namespace, name } });
      assert.equal(formatThingId({ namespace, name }), id);
    });
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['device', /no namespace/],
    [':device', /invalid namespace/],
    ['1ns:device', /invalid namespace/],
    ['ns.:device', /invalid namespace/],
    ['ns:', /invalid name/],
    ['ns:a/b', /invalid name/],
    ['ns:a\nb', /invalid name/],
    ['', /non-empty/],
    [42, /non-empty/],
    [`ns:${'x'.repeat(300)}`, /longer/],
  ];
  for (const [id, problem] of invalid) {
    it(`rejects ${JSON.stringify(id).slice(0, 30)}`, () => {
      const r = parseThingId(id);
      assert.ok(!r.ok && problem.test(r.problems.join('; ')), JSON.stringify(r));
    });
  }
});

describe('container thing', () => {
  it('derives <dev>:edge:containers and back', () => {
    const dev = { namespace: 'demo', name: 'device' };
    const ctr = containerThingId(dev);
    assert.equal(formatThingId(ctr), 'demo:device:edge:containers');
    assert.ok(sameThingId(deviceOfContainerThing(ctr)!, dev));
    assert.equal(deviceOfContainerThing(dev), undefined);
    assert.equal(deviceOfContainerThing({ namespace: 'demo', name: ':edge:containers' }), undefined);
  });
});
