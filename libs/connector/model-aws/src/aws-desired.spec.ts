// The desired-state half of the AWS mapping (issue 20): the shadow `get` requests after connect, the
// answers and deltas that become desired properties, and desiredProperties going up as `state.desired`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext, KnownTwin, Mapped } from '@ledge/connector/model-connector';
import { topicMatches, topicNameProblem } from '@ledge/shared/model-mqtt';
import { twinCommand } from '@ledge/connector/model-twins/testing';
import { createAwsProtocol, type AwsProtocol, type AwsProtocolOptions } from './aws-protocol';

const ctx: DeviceContext = { deviceId: 'test:device', tenantId: 'test-tenant', now: () => 1_700_000_000_123 };
const S = '$aws/things/test:device/shadow';
const msg = (topic: string, payload: unknown): BusMessage => ({ topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos: 1 });
const twin = (action: string, path: string, value?: unknown, thing = 'test:device') => msg('e', twinCommand(thing, action, path, value));
const out = (r: Mapped) => {
  assert.ok(r.ok, r.ok ? '' : r.drop);
  return r.messages.map((m) => [m.topic, m.payload.length === 0 ? '' : JSON.parse(m.payload.toString())] as const);
};
const gets = (p: AwsProtocol, twins: readonly KnownTwin[] = []) => p.connectRequests!(ctx, twins);
const getTopics = (p: AwsProtocol, twins: readonly KnownTwin[] = []) => gets(p, twins).map((m) => m.topic);

describe('AWS desired state: shadow get after connect', () => {
  it('asks for the classic shadow only when nothing is known', () => {
    const requests = gets(createAwsProtocol());
    assert.deepEqual(requests.map((m) => [m.topic, m.payload.length, m.qos]), [[`${S}/get`, 0, 1]]);
  });

  it('asks for every feature of the gateway and its children, their attributes, and skips invalid shadow names', () => {
    const longest = 'f'.repeat(64);
    const twins: KnownTwin[] = [
      { thingId: 'test:device', featureIds: ['meter', 'bad name', 'no/slash', 'x'.repeat(65), longest, 'Software_Updatable-1'] },
      { thingId: 'test:device:edge:containers', featureIds: ['ContainerFactory', 'Container:ab12', 'c'.repeat(50)] },
      { thingId: 'other:thing', featureIds: ['f'] },
      { thingId: 'test:device2', featureIds: ['g'] },
    ];
    assert.deepEqual(getTopics(createAwsProtocol(), twins), [
      `${S}/get`,
      `${S}/name/meter/get`,
      `${S}/name/${longest}/get`,
      `${S}/name/Software_Updatable-1/get`,
      `${S}/name/edge:containers/get`,
      `${S}/name/edge:containers:ContainerFactory/get`,
      `${S}/name/edge:containers:Container:ab12/get`,
      // edge:containers: + 50 characters is over 64: skipped
    ]);
  });

  it('is bounded by maxShadowGets, the classic shadow first', () => {
    const twins: KnownTwin[] = [{ thingId: 'test:device', featureIds: ['a', 'b', 'c', 'd'] }];
    assert.deepEqual(getTopics(createAwsProtocol({ maxShadowGets: 3 }), twins), [`${S}/get`, `${S}/name/a/get`, `${S}/name/b/get`]);
    assert.deepEqual(getTopics(createAwsProtocol({ maxShadowGets: 0 }), twins), []);
  });

  it('also asks for the features local apps reported since start (a reconnect without a twin store), once each', () => {
    const p = createAwsProtocol();
    out(p.toCloud(twin('modify', '/features/meter/properties', { a: 1 }), ctx));
    out(p.toCloud(twin('modify', '/features/F', { properties: { b: 1 } }, 'test:device:edge:containers'), ctx));
    out(p.toCloud(twin('modify', '/attributes/x', 1), ctx));
    assert.deepEqual(getTopics(p), [`${S}/get`, `${S}/name/meter/get`, `${S}/name/edge:containers:F/get`]);
    assert.deepEqual(getTopics(p, [{ thingId: 'test:device', featureIds: ['meter', 'other'] }]), [
      `${S}/get`,
      `${S}/name/meter/get`,
      `${S}/name/other/get`,
      `${S}/name/edge:containers:F/get`,
    ]);
  });

  it('publishes valid topics that none of its own cloud subscriptions matches', () => {
    const p = createAwsProtocol();
    const subs = p.cloudSubscriptions(ctx);
    for (const m of gets(p, [{ thingId: 'test:device', featureIds: ['a'] }, { thingId: 'test:device:edge:containers', featureIds: ['b'] }])) {
      assert.equal(topicNameProblem(m.topic), undefined);
      for (const f of subs) assert.ok(!topicMatches(f, m.topic), `${m.topic} matches ${f}`);
    }
  });
});

describe('AWS desired state: shadow answers → desired', () => {
  interface Case {
    name: string;
    topic: string;
    payload: unknown;
    /** Protocol set-up before the message (e.g. the twins asked for at connect). */
    twins?: KnownTwin[];
    /** The desired updates of a consumed answer, or the drop reason. */
    expect: { desired?: unknown[] } | RegExp;
  }
  const doc = (state: object) => ({ state, metadata: {}, version: 7, timestamp: 1_700_000_000 });
  const cases: Case[] = [
    { name: 'get/accepted of a feature: its delta replaces the desired properties', topic: `${S}/name/meter/get/accepted`,
      payload: doc({ desired: { interval: 10, unit: 'W' }, reported: { unit: 'W' }, delta: { interval: 10 } }),
      expect: { desired: [{ thingId: 'test:device', featureId: 'meter', mode: 'replace', value: { interval: 10 } }] } },
    { name: 'get/accepted without delta: no desired properties left', topic: `${S}/name/meter/get/accepted`,
      payload: doc({ desired: { unit: 'W' }, reported: { unit: 'W' } }),
      expect: { desired: [{ thingId: 'test:device', featureId: 'meter', mode: 'replace', value: {} }] } },
    { name: 'get/accepted of a container feature → the edge:containers child', topic: `${S}/name/edge:containers:ContainerFactory/get/accepted`,
      payload: doc({ delta: { a: { b: 1 } } }),
      expect: { desired: [{ thingId: 'test:device:edge:containers', featureId: 'ContainerFactory', mode: 'replace', value: { a: { b: 1 } } }] } },
    { name: 'a child asked for at connect is read back as that child', topic: `${S}/name/sensors:t/get/accepted`, twins: [{ thingId: 'test:device:sensors', featureIds: ['t'] }],
      payload: doc({ delta: { on: true } }),
      expect: { desired: [{ thingId: 'test:device:sensors', featureId: 't', mode: 'replace', value: { on: true } }] } },
    { name: 'update/delta of a feature: a merge of the changed desired fields', topic: `${S}/name/meter/update/delta`,
      payload: { version: 8, timestamp: 1_700_000_001, state: { interval: 20, old: null }, metadata: { interval: { timestamp: 1 } } },
      expect: { desired: [{ thingId: 'test:device', featureId: 'meter', mode: 'merge', value: { interval: 20, old: null } }] } },
    { name: 'update/delta of a container feature', topic: `${S}/name/edge:containers:F/update/delta`, payload: { state: { x: 1 } },
      expect: { desired: [{ thingId: 'test:device:edge:containers', featureId: 'F', mode: 'merge', value: { x: 1 } }] } },
    { name: 'get/accepted of the classic shadow without delta: consumed', topic: `${S}/get/accepted`, payload: doc({ reported: { serial: 'x' } }), expect: {} },
    { name: 'get/accepted of the classic shadow with a delta: attributes have no desired properties', topic: `${S}/get/accepted`,
      payload: doc({ desired: { a: 1 }, delta: { a: 1 } }), expect: /classic shadow \(attributes of "test:device"\) ignored/ },
    { name: 'update/delta of the classic shadow is dropped', topic: `${S}/update/delta`, payload: { state: { a: 1 } }, expect: /attributes of "test:device"/ },
    { name: 'update/delta of a child\'s attributes shadow is dropped', topic: `${S}/name/edge:containers/update/delta`, payload: { state: { a: 1 } },
      expect: /shadow "edge:containers" \(attributes of "test:device:edge:containers"\)/ },
    { name: 'get/rejected 404 of a feature\'s shadow (none yet, or deleted in the cloud meanwhile): its desired properties are cleared', topic: `${S}/name/meter/get/rejected`,
      payload: { code: 404, message: 'No shadow exists with name: \'meter\'' },
      expect: { desired: [{ thingId: 'test:device', featureId: 'meter', mode: 'replace', value: null }] } },
    { name: 'update/rejected: a drop with AWS\'s reason', topic: `${S}/name/meter/update/rejected`, payload: { code: 409, message: 'Version conflict' },
      expect: /update of shadow "meter" rejected by AWS \(code 409\): Version conflict/ },
    { name: 'get/rejected 404 of the classic shadow: consumed', topic: `${S}/get/rejected`, payload: { code: 404, message: 'No shadow exists' }, expect: {} },
    { name: 'get/rejected 429: a drop with AWS\'s reason', topic: `${S}/name/meter/get/rejected`, payload: { code: 429, message: 'Too Many Requests' },
      expect: /get of shadow "meter" rejected by AWS \(code 429\): Too Many Requests/ },
    { name: 'get/rejected garbage: a drop', topic: `${S}/get/rejected`, payload: 'nope', expect: /classic shadow rejected by AWS \(code unknown\)$/ },
    { name: 'get/accepted not JSON: a drop, the desired properties stay', topic: `${S}/name/meter/get/accepted`, payload: '{"state":', expect: /not a JSON object/ },
    { name: 'get/accepted with a non-object state: a drop', topic: `${S}/name/meter/get/accepted`, payload: { state: [1] }, expect: /no state object/ },
    { name: 'get/accepted with a non-object delta: nothing desired', topic: `${S}/name/meter/get/accepted`, payload: doc({ delta: 5 }),
      expect: { desired: [{ thingId: 'test:device', featureId: 'meter', mode: 'replace', value: {} }] } },
    { name: 'update/delta without state: a drop', topic: `${S}/name/meter/update/delta`, payload: { version: 1 }, expect: /update\/delta of shadow "meter" has no state object/ },
    { name: 'update/delta with a scalar state: a drop', topic: `${S}/name/meter/update/delta`, payload: { state: 'x' }, expect: /no state object/ },
    { name: 'update/accepted with only desired (a cloud app\'s update): consumed', topic: `${S}/name/meter/update/accepted`, payload: { state: { desired: { a: 1 } } }, expect: {} },
    { name: 'another thing\'s shadow is no shadow answer', topic: '$aws/things/other:thing/shadow/name/meter/get/accepted', payload: doc({ delta: { a: 1 } }), expect: /./ },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const p = createAwsProtocol();
      if (c.twins !== undefined) gets(p, c.twins);
      const r = p.toLocal(msg(c.topic, c.payload), ctx);
      if (c.expect instanceof RegExp) {
        assert.equal(r.ok, false);
        assert.match(r.ok ? '' : r.drop, c.expect);
      } else {
        assert.ok(r.ok, r.ok ? '' : r.drop);
        assert.deepEqual(r.messages, []);
        assert.deepEqual(r.desired, c.expect.desired);
      }
    });
  }

  it('get/accepted teaches the whole document: a later modify nulls what AWS holds, a 404 forgets it', () => {
    const p = createAwsProtocol();
    p.toLocal(msg(`${S}/name/f/update/accepted`, { state: { reported: { stale: 1 } } }), ctx);
    p.toLocal(msg(`${S}/name/f/get/accepted`, { state: { reported: { a: 1, b: 2 }, desired: { c: 3 }, delta: { c: 3 } } }), ctx);
    assert.deepEqual(p.shadows.get(`${S}/name/f`), { a: 1, b: 2 });
    assert.deepEqual(p.desiredShadows.get(`${S}/name/f`), { c: 3 });
    assert.deepEqual(out(p.toCloud(twin('modify', '/features/f/properties', { a: 5 }), ctx)), [[`${S}/name/f/update`, { state: { reported: { a: 5, b: null } } }]]);
    p.toLocal(msg(`${S}/name/f/get/rejected`, { code: 404, message: 'gone' }), ctx);
    assert.equal(p.shadows.get(`${S}/name/f`), undefined);
    assert.equal(p.desiredShadows.get(`${S}/name/f`), undefined);
  });

  it('the classic shadow\'s document still teaches the reported attributes when its delta is dropped', () => {
    const p = createAwsProtocol();
    const r = p.toLocal(msg(`${S}/get/accepted`, { state: { reported: { a: 1, b: 2 }, desired: { a: 9 }, delta: { a: 9 } } }), ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(out(p.toCloud(twin('modify', '/attributes', { a: 1 }), ctx)), [[`${S}/update`, { state: { reported: { a: 1, b: null } } }]]);
  });

  it('never throws on hostile shadow documents', () => {
    const p = createAwsProtocol();
    const payloads = ['', 'null', '[]', '{"state":null}', '{"state":{"delta":null}}', '{"state":{"__proto__":{"x":1},"delta":{"__proto__":{"y":2}}}}',
      '['.repeat(20_000), JSON.stringify({ state: { delta: { a: 'x'.repeat(2_000_000) } } }), '{"code":"404"}', '{"code":404,"message":{"a":1}}'];
    for (const topic of [`${S}/get/accepted`, `${S}/name/f/get/accepted`, `${S}/name/f/get/rejected`, `${S}/update/delta`, `${S}/name/f/update/delta`, `${S}/name/f/update/accepted`]) {
      for (const payload of payloads) {
        const r = p.toLocal(msg(topic, payload), ctx);
        if (r.ok) assert.deepEqual(r.messages, []);
        else assert.ok(r.drop.length > 0);
      }
    }
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
    assert.equal(({} as Record<string, unknown>)['y'], undefined);
  });
});

describe('AWS desired state: local desiredProperties → state.desired, never reported', () => {
  const D = `${S}/name/f/update`;
  interface Case {
    name: string;
    message: BusMessage;
    options?: Partial<AwsProtocolOptions>;
    /** What AWS holds of shadow f before (get/accepted state). */
    known?: object;
    expect: (readonly [string, unknown])[];
  }
  const cases: Case[] = [
    { name: 'modify of desiredProperties → state.desired only', message: twin('modify', '/features/f/desiredProperties', { a: 1 }), expect: [[D, { state: { desired: { a: 1 } } }]] },
    { name: 'modify of one desired property', message: twin('modify', '/features/f/desiredProperties/a', 1), expect: [[D, { state: { desired: { a: 1 } } }]] },
    { name: 'whole feature with both → reported and desired', message: twin('modify', '/features/f', { properties: { x: 1 }, desiredProperties: { a: 1 } }),
      expect: [[D, { state: { reported: { x: 1 }, desired: { a: 1 } } }]] },
    { name: 'whole feature without desiredProperties leaves the desired state alone', message: twin('modify', '/features/f', { properties: { x: 1 } }), known: { desired: { a: 1 } },
      expect: [[D, { state: { reported: { x: 1 } } }]] },
    { name: 'modify of desiredProperties nulls the known desired keys it no longer has', message: twin('modify', '/features/f/desiredProperties', { a: 2 }),
      known: { reported: { x: 1 }, desired: { a: 1, b: { c: 1 } } }, expect: [[D, { state: { desired: { a: 2, b: null } } }]] },
    { name: 'merge of desiredProperties is sent as is', message: twin('merge', '/features/f/desiredProperties', { a: 2 }), known: { desired: { b: 1 } },
      expect: [[D, { state: { desired: { a: 2 } } }]] },
    { name: 'delete of desiredProperties clears them, the shadow stays', message: twin('delete', '/features/f/desiredProperties'), known: { reported: { x: 1 }, desired: { a: 1 } },
      expect: [[D, { state: { desired: null } }]] },
    { name: 'delete of one desired property → null', message: twin('delete', '/features/f/desiredProperties/a'), expect: [[D, { state: { desired: { a: null } } }]] },
    { name: 'payloadFilters apply to desired paths', message: twin('modify', '/features/f/desiredProperties', { a: 1, secret: 2 }), options: { payloadFilters: ['/desiredProperties/secret$'] },
      expect: [[D, { state: { desired: { a: 1 } } }]] },
    { name: 'container feature desired → its child shadow', message: twin('modify', '/features/F/desiredProperties', { a: 1 }, 'test:device:edge:containers'),
      expect: [[`${S}/name/edge:containers:F/update`, { state: { desired: { a: 1 } } }]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = createAwsProtocol(c.options);
      if (c.known !== undefined) p.toLocal(msg(`${S}/name/f/get/accepted`, { state: c.known }), ctx);
      assert.deepEqual(out(p.toCloud(c.message, ctx)), c.expect);
    });
  }

  it('a desired-only update does not touch the known reported state', () => {
    const p = createAwsProtocol();
    p.toLocal(msg(`${S}/name/f/get/accepted`, { state: { reported: { x: 1 } } }), ctx);
    out(p.toCloud(twin('modify', '/features/f/desiredProperties', { a: 1 }), ctx));
    assert.deepEqual(p.shadows.get(`${S}/name/f`), { x: 1 });
    assert.deepEqual(p.desiredShadows.get(`${S}/name/f`), { a: 1 });
  });
});
