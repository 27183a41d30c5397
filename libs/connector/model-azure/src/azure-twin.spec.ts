// Device twin through the Azure protocol: GET at connect → desired `replace`, desired patches → `merge`,
// local twin commands → reported-property patches next to the D2C message (issue 20).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext, KnownTwin, Mapped } from '@ledge/connector/model-connector';
import { twinCommand as localTwinCommand } from '@ledge/connector/model-twins/testing';
import { createAzureProtocol, type AzureProtocolOptions } from './azure-protocol';

const ctx: DeviceContext = { deviceId: 'demo:device', tenantId: 'defaultTenant', now: () => 0 };
const msg = (topic: string, payload: string | object): BusMessage => ({ topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos: 1 });
const twinCommand = (action: string, path: string, value?: unknown, thing = 'demo:device') => msg('e', localTwinCommand(thing, action, path, value));

function make(options: Partial<AzureProtocolOptions> = {}) {
  let n = 0;
  const leftOut: string[] = [];
  const p = createAzureProtocol({ newRequestId: () => `rid-${++n}`, newMessageId: () => 'mid', onLeftOut: (r) => leftOut.push(r), ...options });
  /** Connects and answers the twin GET with `doc`. */
  const connect = (doc: object = { desired: { $version: 1 }, reported: { $version: 1 } }, known: readonly KnownTwin[] = []) => {
    const [get] = p.connectRequests!(ctx, known);
    const rid = /\$rid=(.*)$/.exec(get!.topic)![1]!;
    return p.toLocal(msg(`$iothub/twin/res/200/?$rid=${rid}`, doc), ctx);
  };
  /** The reported patches of one local message: [topic, body]. */
  const patches = (r: Mapped) => {
    assert.ok(r.ok, r.ok ? '' : r.drop);
    return r.messages.filter((m) => m.topic.startsWith('$iothub/')).map((m) => [m.topic, JSON.parse(m.payload.toString()) as unknown]);
  };
  return { p, connect, patches, leftOut };
}

describe('Azure twin: GET at connect', () => {
  it('asks for the twin with an empty GET and a fresh $rid after every connect', () => {
    const { p } = make();
    const first = p.connectRequests!(ctx, []);
    const second = p.connectRequests!(ctx, [{ thingId: 'demo:device', featureIds: ['meter'] }]);
    assert.deepEqual([...first, ...second].map((m) => [m.topic, m.payload.length, m.qos]), [
      ['$iothub/twin/GET/?$rid=rid-1', 0, 1],
      ['$iothub/twin/GET/?$rid=rid-2', 0, 1],
    ]);
  });

  it('the 200 response gives one replace per desired section, skipping $-keys and sections naming no feature', () => {
    const { connect, leftOut } = make();
    const r = connect({
      desired: { meter: { interval: 5 }, 'edge:containers:Container:x': { run: true }, $version: 7, $metadata: { meter: {} }, bad: 3, 'a/b': {}, 'edge:containers': {} },
      reported: { meter: { interval: 1 }, $version: 3 },
    });
    assert.ok(r.ok, r.ok ? '' : r.drop);
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.desired, [
      { thingId: 'demo:device', featureId: 'meter', mode: 'replace', value: { interval: 5 } },
      { thingId: 'demo:device:edge:containers', featureId: 'Container:x', mode: 'replace', value: { run: true } },
    ]);
    assert.deepEqual(leftOut, [
      'twin GET response: section "bad" is not an object',
      'twin GET response: "a/b" names no feature',
      'twin GET response: "edge:containers" names no feature',
    ]);
  });

  it('clears the desired properties of a known feature whose section the GET does not have (removed in the hub meanwhile)', () => {
    const { connect, leftOut } = make();
    const known: KnownTwin[] = [
      { thingId: 'demo:device', featureIds: ['meter', 'gone'] },
      { thingId: 'demo:device:edge:containers', featureIds: ['Container:x', 'Container:y'] },
      { thingId: 'other:thing', featureIds: ['f'] }, // not the gateway or one of its children: no section, nothing to say
    ];
    const r = connect({ desired: { meter: { interval: 5 }, 'edge:containers:Container:x': { run: true }, $version: 2 }, reported: {} }, known);
    assert.ok(r.ok, r.ok ? '' : r.drop);
    assert.deepEqual(r.desired, [
      { thingId: 'demo:device', featureId: 'meter', mode: 'replace', value: { interval: 5 } },
      { thingId: 'demo:device:edge:containers', featureId: 'Container:x', mode: 'replace', value: { run: true } },
      { thingId: 'demo:device', featureId: 'gone', mode: 'replace', value: null },
      { thingId: 'demo:device:edge:containers', featureId: 'Container:y', mode: 'replace', value: null },
    ]);
    // a GET whose every section is unusable still clears, and says why the sections were left out
    const bad = connect({ desired: { meter: 3, $version: 3 } }, [{ thingId: 'demo:device', featureIds: ['meter', 'gone'] }]);
    assert.ok(bad.ok, bad.ok ? '' : bad.drop);
    assert.deepEqual(bad.desired, [{ thingId: 'demo:device', featureId: 'gone', mode: 'replace', value: null }]);
    assert.match(leftOut.join('\n'), /section "meter" is not an object/);
  });

  it('remembers the reported state of the response, and its desired $version', () => {
    const { p, connect } = make();
    connect({ desired: { $version: 4 }, reported: { meter: { a: 1 }, 'edge:containers:C': { b: 2 }, junk: 5, $version: 2 } });
    assert.deepEqual(p.twin.reported('meter'), { thingId: 'demo:device', featureId: 'meter', value: { a: 1 } });
    assert.deepEqual(p.twin.sectionsOf('demo:device:edge:containers'), ['edge:containers:C']);
    assert.equal(p.twin.reported('junk'), undefined);
    assert.equal(p.twin.desiredVersion, 4);
  });

  const failures: [status: number, re: RegExp][] = [
    [429, /twin GET failed with 429 \(throttled by IoT Hub\); desired properties are fetched again at the next connect/],
    [400, /failed with 400 \(IoT Hub refused the request as malformed\)/],
    [503, /failed with 503 \(IoT Hub server error\)/],
  ];
  for (const [status, re] of failures) {
    it(`a ${status} response to the GET is dropped with a reason`, () => {
      const { p } = make();
      p.connectRequests!(ctx, []);
      const r = p.toLocal(msg(`$iothub/twin/res/${status}/?$rid=rid-1`, '{"message":"x"}'), ctx);
      assert.match(r.ok ? 'ok' : r.drop, re);
    });
  }

  it('drops responses to unknown requests, and answers each request once', () => {
    const { p, connect } = make();
    assert.match(p.toLocal(msg('$iothub/twin/res/200/?$rid=nobody', {}), ctx).ok ? '' : 'unknown', /unknown/);
    assert.ok(connect().ok);
    const again = p.toLocal(msg('$iothub/twin/res/200/?$rid=rid-1', { desired: {} }), ctx);
    assert.match(again.ok ? 'ok' : again.drop, /unknown or forgotten \$rid "rid-1"/);
  });

  it('drops a response body that is not a twin document', () => {
    const { p } = make();
    p.connectRequests!(ctx, []);
    p.connectRequests!(ctx, []);
    assert.match(String((p.toLocal(msg('$iothub/twin/res/200/?$rid=rid-1', 'nope'), ctx) as { drop: string }).drop), /not a JSON object/);
    assert.match(String((p.toLocal(msg('$iothub/twin/res/200/?$rid=rid-2', { desired: 5 }), ctx) as { drop: string }).drop), /must be objects/);
  });
});

describe('Azure twin: desired-property patches', () => {
  it('each section becomes a merge; a section set to null clears the feature (replace with null); $version is not a section', () => {
    const { p, connect } = make();
    connect();
    const r = p.toLocal(msg('$iothub/twin/PATCH/properties/desired/?$version=2', { meter: { interval: null, unit: 'C' }, old: null, $version: 2 }), ctx);
    assert.ok(r.ok && r.messages.length === 0);
    assert.deepEqual(r.desired, [
      { thingId: 'demo:device', featureId: 'meter', mode: 'merge', value: { interval: null, unit: 'C' } },
      { thingId: 'demo:device', featureId: 'old', mode: 'replace', value: null },
    ]);
  });

  it('skips a patch whose $version is not newer than the last applied (out of order), until the next GET resets it', () => {
    const { p, connect } = make();
    connect({ desired: { $version: 5 }, reported: {} });
    const patch = (v: number) => p.toLocal(msg(`$iothub/twin/PATCH/properties/desired/?$version=${v}`, { meter: { v }, $version: v }), ctx);
    assert.ok(patch(7).ok);
    const stale = patch(6);
    assert.match(stale.ok ? 'ok' : stale.drop, /\$version 6 is not newer than 7/);
    assert.equal(patch(7).ok, false);
    // The twin was recreated in the hub: its versions count from 1 again, and the GET says so.
    connect({ desired: { $version: 1 }, reported: {} });
    assert.ok(patch(2).ok);
  });

  it('uses the topic $version when the body has none, and applies patches without any version', () => {
    const { p } = make();
    assert.ok(p.toLocal(msg('$iothub/twin/PATCH/properties/desired/?$version=3', { a: {} }), ctx).ok);
    assert.equal(p.twin.desiredVersion, 3);
    assert.ok(p.toLocal(msg('$iothub/twin/PATCH/properties/desired/', { a: {} }), ctx).ok);
  });

  it('drops a patch with nothing usable, with the reasons', () => {
    const { p } = make();
    const r = p.toLocal(msg('$iothub/twin/PATCH/properties/desired/?$version=1', { meter: 5, $version: 1 }), ctx);
    assert.match(r.ok ? 'ok' : r.drop, /section "meter" is not an object/);
    assert.match(String((p.toLocal(msg('$iothub/twin/PATCH/properties/desired/', '[1]'), ctx) as { drop: string }).drop), /not a JSON object/);
  });
});

describe('Azure twin: reported properties from local twin commands', () => {
  const P = '$iothub/twin/PATCH/properties/reported/?$rid=';

  it('keeps the D2C message and adds a reported patch for feature properties', () => {
    const { p, connect } = make();
    connect();
    const r = p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 1, b: { c: 2 } }), ctx);
    assert.ok(r.ok);
    assert.equal(r.messages.length, 2);
    assert.match(r.messages[0]!.topic, /^devices\/demo:device\/messages\/events\//);
    assert.deepEqual([r.messages[1]!.topic, JSON.parse(r.messages[1]!.payload.toString()), r.messages[1]!.qos], [`${P}rid-2`, { meter: { a: 1, b: { c: 2 } } }, 1]);
  });

  const cases: [name: string, reported: object, command: BusMessage, patch: unknown][] = [
    ['modify sends null for keys that disappeared (known from the GET)', { meter: { a: 1, b: 2, n: { x: 1, y: 2 } } }, twinCommand('modify', '/features/meter/properties', { a: 3, n: { x: 1 } }), { meter: { a: 3, n: { x: 1, y: null }, b: null } }],
    ['modify of one property replaces only it', { meter: { a: { x: 1 }, b: 2 } }, twinCommand('modify', '/features/meter/properties/a', { y: 1 }), { meter: { a: { y: 1, x: null } } }],
    ['modify of a whole feature', { meter: { a: 1 } }, twinCommand('modify', '/features/meter', { definition: ['d:x:1'], properties: { b: 2 } }), { meter: { b: 2, a: null } }],
    ['modify of a feature without properties clears its section', { meter: { a: 1 } }, twinCommand('modify', '/features/meter', { definition: ['d:x:1'] }), { meter: null }],
    ['modify of all features nulls the features left out', { meter: { a: 1 }, other: { b: 1 } }, twinCommand('modify', '/features', { meter: { properties: { a: 1 } } }), { meter: { a: 1 }, other: null }],
    ['merge is sent as it is (both are JSON merge patches)', { meter: { a: 1, b: 2 } }, twinCommand('merge', '/features/meter/properties', { a: null, c: 3 }), { meter: { a: null, c: 3 } }],
    ['delete of a feature', { meter: { a: 1 } }, twinCommand('delete', '/features/meter'), { meter: null }],
    ['delete of one property', { meter: { a: 1, b: 2 } }, twinCommand('delete', '/features/meter/properties/a'), { meter: { a: null } }],
    ['delete of the thing removes every section known for it', { meter: { a: 1 }, other: { b: 1 }, 'edge:containers:C': { c: 1 } }, twinCommand('delete', '/'), { meter: null, other: null }],
    ['a child thing\'s feature', {}, twinCommand('modify', '/features/Container:x/properties', { status: 'RUNNING' }, 'demo:device:edge:containers'), { 'edge:containers:Container:x': { status: 'RUNNING' } }],
    ['create of a thing with features', {}, twinCommand('create', '/', { attributes: { a: 1 }, features: { meter: { properties: { v: 1 } } } }), { meter: { v: 1 } }],
  ];
  for (const [name, reported, command, patch] of cases) {
    it(name, () => {
      const { p, connect, patches } = make();
      connect({ desired: {}, reported });
      assert.deepEqual(patches(p.toCloud(command, ctx)), [[`${P}rid-2`, patch]]);
    });
  }

  it('remembers its own patches: a second modify nulls what the first reported', () => {
    const { p, patches } = make();
    assert.deepEqual(patches(p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 1, b: 2 }), ctx)), [[`${P}rid-1`, { meter: { a: 1, b: 2 } }]]);
    assert.deepEqual(patches(p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 3 }), ctx)), [[`${P}rid-2`, { meter: { a: 3, b: null } }]]);
    assert.deepEqual(patches(p.toCloud(twinCommand('delete', '/features/meter'), ctx)), [[`${P}rid-3`, { meter: null }]]);
    assert.equal(p.twin.reported('meter'), undefined);
  });

  it('consumes the 204 to a patch; a refused patch is dropped and its sections forgotten', () => {
    const { p } = make();
    p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 1 }), ctx);
    const ok = p.toLocal(msg('$iothub/twin/res/204/?$rid=rid-1&$version=3', ''), ctx);
    assert.deepEqual(ok, { ok: true, messages: [] });
    p.toCloud(twinCommand('modify', '/features/other/properties', { a: 1 }), ctx);
    const refused = p.toLocal(msg('$iothub/twin/res/400/?$rid=rid-2', '{"errorCode":400}'), ctx);
    assert.match(refused.ok ? 'ok' : refused.drop, /reported-properties patch of other failed with 400/);
    assert.equal(p.twin.reported('other'), undefined);
    assert.deepEqual(p.twin.reported('meter')?.value, { a: 1 });
  });

  it('never sends a bad patch: leaves breaking IoT Hub\'s rules are left out with a reason', () => {
    const { p, patches, leftOut } = make();
    assert.deepEqual(patches(p.toCloud(twinCommand('modify', '/features/meter/properties', { ok: 1, 'a.b': 2, 'x y': 3 }), ctx)), [[`${P}rid-1`, { meter: { ok: 1 } }]]);
    assert.equal(leftOut.length, 2);
    assert.match(leftOut.join('\n'), /"\/meter\/a\.b" left out/);
    // Nothing left: only the D2C message goes; a feature ID IoT Hub refuses as a name likewise.
    for (const command of [twinCommand('merge', '/features/meter/properties', { 'a.b': 1 }), twinCommand('modify', '/features/v1.2/properties', { a: 1 })]) {
      const r = p.toCloud(command, ctx);
      assert.ok(r.ok && r.messages.length === 1 && r.messages[0]!.topic.startsWith('devices/'));
    }
  });

  it('a patch over the reported-properties limit is not sent', () => {
    const { p, leftOut } = make({ maxReportedPatchBytes: 100 });
    const r = p.toCloud(twinCommand('modify', '/features/meter/properties', { s: 'x'.repeat(200) }), ctx);
    assert.ok(r.ok && r.messages.length === 1);
    assert.match(leftOut[0]!, /exceeds IoT Hub's 100-byte reported-properties limit/);
  });

  it('no patch for attributes, other things, responses, live messages and telemetry that is no twin command', () => {
    const { p } = make();
    const none = [
      twinCommand('modify', '/attributes/location', 'x'),
      twinCommand('modify', '/features/meter/properties', { a: 1 }, 'other:thing'),
      twinCommand('retrieve', '/features/meter'),
      msg('e', { topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/features/m/properties', value: { a: 1 }, status: 204 }),
      msg('e', { topic: 'demo/device/things/live/messages/data', headers: {}, path: '/features/m/outbox/messages/data', value: { a: 1 } }),
      msg('command///res/r1/204', { topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/features/m/properties', value: { a: 1 } }),
      msg('t', 'not json'),
    ];
    for (const m of none) {
      const r = p.toCloud(m, ctx);
      assert.ok(r.ok && r.messages.length === 1 && r.messages[0]!.topic.startsWith('devices/'), m.payload.toString());
    }
  });

  it('an unsafe $rid from the generator sends no patch', () => {
    const { p, leftOut } = make({ newRequestId: () => 'a/b' });
    assert.deepEqual(p.connectRequests!(ctx, []), []);
    const r = p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 1 }), ctx);
    assert.ok(r.ok && r.messages.length === 1);
    assert.match(leftOut[0]!, /not a safe \$rid/);
  });

  it('a twin command over the D2C limit still reports its properties', () => {
    const { p, patches } = make({ maxMessageBytes: 50 });
    assert.deepEqual(patches(p.toCloud(twinCommand('modify', '/features/meter/properties', { a: 1 }), ctx)), [[`${P}rid-1`, { meter: { a: 1 } }]]);
  });

  it('reads a section it named back as that feature, also once its reported value is gone (as AWS)', () => {
    const { p, patches } = make();
    // A gateway feature whose ID reads, by the default rule, as a feature of the containers thing.
    const F = 'edge:containers:F';
    assert.deepEqual(patches(p.toCloud(twinCommand('modify', `/features/${F}/properties`, { a: 1 }), ctx)), [[`${P}rid-1`, { [F]: { a: 1 } }]]);
    assert.deepEqual(patches(p.toCloud(twinCommand('delete', `/features/${F}`), ctx)), [[`${P}rid-2`, { [F]: null }]]);
    assert.equal(p.twin.reported(F), undefined);
    const r = p.toLocal(msg('$iothub/twin/PATCH/properties/desired/?$version=2', { [F]: { on: true }, 'edge:containers:G': { on: true }, $version: 2 }), ctx);
    assert.ok(r.ok);
    assert.deepEqual(r.desired, [
      { thingId: 'demo:device', featureId: F, mode: 'merge', value: { on: true } },
      { thingId: 'demo:device:edge:containers', featureId: 'G', mode: 'merge', value: { on: true } },
    ]);
  });

  it('bounds what it remembers', () => {
    const { p } = make({ maxTwinSections: 2, maxPendingRequests: 2 });
    for (const f of ['a', 'b', 'c']) p.toCloud(twinCommand('modify', `/features/${f}/properties`, { v: 1 }), ctx);
    assert.deepEqual(p.twin.sectionsOf('demo:device'), ['b', 'c']);
    assert.equal(p.toLocal(msg('$iothub/twin/res/204/?$rid=rid-1', ''), ctx).ok, false);
    assert.equal(p.toLocal(msg('$iothub/twin/res/204/?$rid=rid-3', ''), ctx).ok, true);
  });
});
