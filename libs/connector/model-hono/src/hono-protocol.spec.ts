import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext } from '@ledge/connector/model-connector';
import { cloudProtocolContract } from '@ledge/connector/model-connector/testing';
import { createHonoProtocol } from './hono-protocol';

const ctx: DeviceContext = { deviceId: 'demo:device', tenantId: 'demo', now: () => 0 };
const payload = Buffer.from('{"topic":"demo/device/things/twin/commands/modify","headers":{},"path":"/attributes/a","value":1}');
const msg = (topic: string, qos: 0 | 1 = 1): BusMessage => ({ topic, payload, qos });

describe('hono protocol: local → cloud (§2.1.5, §1.3)', () => {
  const cases: [local: string, qos: 0 | 1, cloud: string, cloudQos: 0 | 1][] = [
    ['e', 1, 'event/demo/demo:device', 1],
    ['event', 1, 'event/demo/demo:device', 1],
    ['t', 1, 'telemetry/demo/demo:device', 1],
    ['telemetry', 0, 'telemetry/demo/demo:device', 0],
    ['e/demo/demo:device:edge:containers', 1, 'event/demo/demo:device:edge:containers', 1],
    ['e//demo:device:edge:containers', 1, 'event/demo/demo:device:edge:containers', 1],
    ['event/other-tenant', 1, 'event/other-tenant/demo:device', 1],
    ['t//demo:sub/extra/levels', 0, 'telemetry/demo/demo:sub/extra/levels', 0],
    ['e///x', 1, 'event/demo/demo:device/x', 1],
    ['command///res/42/204', 1, 'command///res/42/204', 1], // Hono: empty device level = the authenticated gateway,
    ['c///s/42/200', 1, 'command///res/42/200', 1],
    ['command//demo:device:edge:containers/res/r-1/200', 1, 'command//demo:device:edge:containers/res/r-1/200', 1],
    ['c//demo:sub/s/r-2/400', 1, 'command//demo:sub/res/r-2/400', 1],
  ];
  for (const [local, qos, cloud, cloudQos] of cases) {
    it(`${local} (QoS ${qos}) → ${cloud}`, () => {
      const r = createHonoProtocol().toCloud(msg(local, qos), ctx);
      assert.deepEqual(r, { ok: true, messages: [{ topic: cloud, payload, qos: cloudQos }] });
    });
  }
  it('telemetryQos 1 lifts QoS 0 telemetry to QoS 1 (Kanto)', () => {
    const r = createHonoProtocol({ telemetryQos: 1 }).toCloud(msg('t', 0), ctx);
    assert.ok(r.ok && r.messages[0]!.qos === 1);
  });
  for (const bad of ['command///req/1/x', 'edge/thing/request', 'foo', 'c///s/1/notastatus']) {
    it(`drops ${bad}`, () => assert.equal(createHonoProtocol().toCloud(msg(bad), ctx).ok, false));
  }
});

describe('hono protocol: cloud → local', () => {
  const cases: [cloud: string, long: string, short: string][] = [
    ['command///req/r-1/su', 'command///req/r-1/su', 'c///q/r-1/su'],
    ['command//demo:device:edge:containers/req/r-2/x', 'command//demo:device:edge:containers/req/r-2/x', 'c//demo:device:edge:containers/q/r-2/x'],
    ['command///req//oneway', 'command///req//oneway', 'c///q//oneway'],
    ['command//demo:sub/req/r/a/b', 'command//demo:sub/req/r/a/b', 'c//demo:sub/q/r/a/b'],
  ];
  for (const [cloud, long, short] of cases) {
    it(`${cloud} → ${long} + ${short}`, () => {
      const r = createHonoProtocol().toLocal(msg(cloud), ctx);
      assert.deepEqual(r, { ok: true, messages: [{ topic: long, payload, qos: 1 }, { topic: short, payload, qos: 1 }] });
    });
  }
  it('drops cloud messages that are not command requests', () => {
    assert.equal(createHonoProtocol().toLocal(msg('event/demo/demo:device'), ctx).ok, false);
    assert.equal(createHonoProtocol().toLocal(msg('command//x/res/1/200'), ctx).ok, false);
  });
});

describe('hono protocol: subscriptions', () => {
  it('subscribes both forms locally and the gateway command filter at the cloud', () => {
    const p = createHonoProtocol();
    assert.deepEqual([...p.localSubscriptions].sort(), ['c//+/s/#', 'command//+/res/#', 'e/#', 'event/#', 't/#', 'telemetry/#']);
    assert.deepEqual(p.cloudSubscriptions(ctx), ['command//+/req/#']);
    assert.equal(p.deviceCommandSubscription?.('demo:sub'), 'command//demo:sub/req/#');
  });
});

cloudProtocolContract('hono', {
  make: () => createHonoProtocol(),
  localSamples: [msg('e'), msg('t', 0), msg('command///res/1/204')],
  cloudSamples: [msg('command///req/1/su'), msg('command//demo:device:edge:containers/req/2/x')],
});
