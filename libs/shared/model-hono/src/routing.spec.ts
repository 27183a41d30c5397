import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { routeCloudToLocal, routeLocalToCloud } from './routing';

const identity = { tenantId: 'demo', deviceId: 'demo:device' };

describe('routeLocalToCloud (§2.1.5)', () => {
  const cases: Array<[string, string]> = [
    ['e', 'event/demo/demo:device'],
    ['event', 'event/demo/demo:device'],
    ['t', 'telemetry/demo/demo:device'],
    ['telemetry/', 'telemetry/demo/demo:device'],
    ['e/demo/demo:device:edge:containers', 'event/demo/demo:device:edge:containers'],
    ['e//demo:device:edge:containers', 'event/demo/demo:device:edge:containers'],
    ['e/other', 'event/other/demo:device'],
    ['t/other/demo:x/a/b', 'telemetry/other/demo:x/a/b'],
    ['t///a', 'telemetry/demo/demo:device/a'],
    ['command///res/abc/204', 'command///res/abc/204'],
    ['c///s/abc/204', 'command///res/abc/204'],
    ['c/demo/demo:device:edge:containers/s/42/200', 'command//demo:device:edge:containers/res/42/200'],
  ];
  for (const [local, cloud] of cases) {
    it(`${local} → ${cloud}`, () => {
      const r = routeLocalToCloud(local, identity);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.topic, cloud);
    });
  }

  for (const local of ['command///req/1/x', 'c//d/q/1/x', 'edge/thing/request', 'e/+', '']) {
    it(`does not route ${JSON.stringify(local)}`, () => assert.equal(routeLocalToCloud(local, identity).ok, false));
  }
});

describe('routeCloudToLocal (§2.1.5)', () => {
  const cases: Array<[string, string, string]> = [
    ['command//demo:d/req/42/su', 'command//demo:d/req/42/su', 'c//demo:d/q/42/su'],
    ['command///req/42/install', 'command///req/42/install', 'c///q/42/install'],
    ['c///q//oneway', 'command///req//oneway', 'c///q//oneway'],
  ];
  for (const [cloud, long, short] of cases) {
    it(`${cloud} → ${long} + ${short}`, () => {
      const r = routeCloudToLocal(cloud);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.topics, [long, short]);
    });
  }

  for (const cloud of ['command//d/res/42/200', 'event/demo/d', 'command//+/req/#']) {
    it(`does not route ${cloud}`, () => assert.equal(routeCloudToLocal(cloud).ok, false));
  }
});
