import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decidePublish, isBehind } from './publish-rules';

const gw = { tenant: 'demo', deviceId: 'demo:gw' };
const sub = { tenant: 'demo', deviceId: 'demo:gw:edge:containers' };

describe('publish rules', () => {
  const accepted: [topic: string, kind: string, device: typeof gw, extra?: Record<string, unknown>][] = [
    ['t', 'telemetry', gw],
    ['telemetry', 'telemetry', gw],
    ['e', 'event', gw],
    ['event', 'event', gw],
    ['e/demo', 'event', gw],
    ['event/demo/demo:gw', 'event', gw],
    ['t//demo:gw', 'telemetry', gw],
    ['telemetry/demo/demo:gw/extra/levels', 'telemetry', gw],
    ['e//demo:gw:edge:containers', 'event', sub],
    ['event/demo/demo:gw:edge:containers', 'event', sub],
    ['command///res/r-1/200', 'command-response', gw, { requestId: 'r-1', status: 200 }],
    ['c///s/r-2/204', 'command-response', gw, { requestId: 'r-2', status: 204 }],
    ['command/demo//res/r-3/500', 'command-response', gw, { requestId: 'r-3', status: 500 }],
    ['command//demo:gw:edge:containers/res/r-4/404', 'command-response', sub, { requestId: 'r-4', status: 404 }],
    ['c//demo:gw:edge:containers/s/r-5/200', 'command-response', sub, { requestId: 'r-5', status: 200 }],
  ];
  for (const [topic, kind, device, extra] of accepted) {
    it(`accepts ${topic}`, () => {
      assert.deepEqual(decidePublish(topic, gw), { ok: true, message: { device, via: gw, kind, ...extra } });
    });
  }

  const refused: [topic: unknown, why: RegExp][] = [
    ['event/other/demo:gw', /tenant "other"/],
    ['t/other', /tenant "other"/],
    ['command/other//res/r/200', /tenant "other"/],
    ['e//demo:sensor', /neither the device nor behind it/],
    ['e//demo:gwx', /neither the device nor behind it/],
    ['e//demo:gw:', /neither the device nor behind it/],
    ['command//demo:other/res/r/200', /neither/],
    ['command///req/r/install', /do not publish command requests/],
    ['c///q//install', /do not publish command requests/],
    ['command///res//200', /empty request ID/],
    ['command///res/r/999', /invalid status/],
    ['command///res/r', /is not command/],
    ['random/topic', /does not start with/],
    ['$SYS/broker', /does not start with/],
    ['', /non-empty/],
    ['e/#', /wildcard/],
    ['e/\u0000', /NUL/],
    [42, /non-empty string/],
    ['x'.repeat(70_000), /longer than 65535/],
  ];
  for (const [topic, why] of refused) {
    it(`refuses ${String(topic).slice(0, 40)}`, () => {
      const d = decidePublish(topic, gw);
      assert.ok(!d.ok && why.test(d.why), JSON.stringify(d).slice(0, 200));
    });
  }

  it('a device behind a gateway extends its ID after a colon', () => {
    assert.equal(isBehind('demo:gw', 'demo:gw:edge:containers'), true);
    assert.equal(isBehind('demo:gw', 'demo:gw'), false);
    assert.equal(isBehind('demo:gw', 'demo:gw:'), false);
    assert.equal(isBehind('demo:gw', 'demo:gwx:a'), false);
  });
});
